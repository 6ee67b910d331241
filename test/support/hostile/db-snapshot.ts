import { Client } from 'pg';

/**
 * Columns that change on a request that is refused after authentication, by design, and are
 * not a write of the request's input: a key's last use (recorded for every authenticated
 * request, to show the owner when and from where the key was last used).
 */
const BOOKKEEPING_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  api_key: ['last_used_at', 'last_used_ip'],
};

export type Snapshot = Record<string, string>;

/**
 * Every table of the public schema as `<rows>:<md5 of its rows>`, rows as jsonb in a stable order,
 * without the bookkeeping columns above. Two snapshots differ when any row was written.
 */
export async function snapshotDatabase(client: Client): Promise<Snapshot> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const parts = tables.map(({ name }) => {
    const dropped = (BOOKKEEPING_COLUMNS[name] ?? []).map((column) => ` - '${column}'`).join('');
    return `SELECT '${name}' AS name, count(*)::text || ':' || coalesce(md5(string_agg((to_jsonb(t)${dropped})::text, ',' ORDER BY (to_jsonb(t)${dropped})::text)), '') AS digest FROM "${name}" t`;
  });
  const { rows } = await client.query<{ name: string; digest: string }>(parts.join(' UNION ALL '));
  return Object.fromEntries(rows.map((row) => [row.name, row.digest]));
}

/** The tables whose digest differs, for a failure message that says where the write went. */
export function changedTables(before: Snapshot, after: Snapshot): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((name) => before[name] !== after[name]).sort();
}
