/**
 * The `.sql` twin of an upstream backup (notes §1.5): the lines SQLite's `iterdump` writes for a
 * configuration's peer tables, `INSERT INTO "<table>" VALUES(...);` each followed by a newline, tables
 * in name order (`<Name>`, then `<Name>_restrict_access`; `_deleted` and `_transfer` are always
 * empty in 4.2.x). Values are SQLite's `quote()` of each column.
 */

/** A peer's row in upstream's per-configuration table, columns in table order. */
export interface SqlPeerRow {
  id: string;
  private_key: string;
  DNS: string;
  endpoint_allowed_ip: string;
  name: string;
  total_receive: number;
  total_sent: number;
  total_data: number;
  endpoint: string;
  status: string;
  latest_handshake: string;
  allowed_ip: string;
  cumu_receive: number;
  cumu_sent: number;
  cumu_data: number;
  mtu: number;
  keepalive: number;
  remote_endpoint: string;
  preshared_key: string;
}

type Column = { key: keyof SqlPeerRow; type: 'text' | 'real' | 'int' };

const COLUMNS: Column[] = [
  { key: 'id', type: 'text' },
  { key: 'private_key', type: 'text' },
  { key: 'DNS', type: 'text' },
  { key: 'endpoint_allowed_ip', type: 'text' },
  { key: 'name', type: 'text' },
  { key: 'total_receive', type: 'real' },
  { key: 'total_sent', type: 'real' },
  { key: 'total_data', type: 'real' },
  { key: 'endpoint', type: 'text' },
  { key: 'status', type: 'text' },
  { key: 'latest_handshake', type: 'text' },
  { key: 'allowed_ip', type: 'text' },
  { key: 'cumu_receive', type: 'real' },
  { key: 'cumu_sent', type: 'real' },
  { key: 'cumu_data', type: 'real' },
  { key: 'mtu', type: 'int' },
  { key: 'keepalive', type: 'int' },
  { key: 'remote_endpoint', type: 'text' },
  { key: 'preshared_key', type: 'text' },
];

/** The dump of a configuration's active and restricted peers, in the order given. */
export function renderDatabaseContent(configurationName: string, active: readonly SqlPeerRow[], restricted: readonly SqlPeerRow[]): string {
  const lines = [...active.map((row) => insertLine(configurationName, row)), ...restricted.map((row) => insertLine(`${configurationName}_restrict_access`, row))];
  return lines.map((line) => `${line}\n`).join('');
}

function insertLine(table: string, row: SqlPeerRow): string {
  const values = COLUMNS.map(({ key, type }) => {
    const value = row[key];
    if (type === 'text') return sqliteQuoteText(String(value));
    if (type === 'int') return String(Math.trunc(Number(value)));
    return sqliteQuoteReal(Number(value));
  });
  return `INSERT INTO ${sqliteIdentifier(table)} VALUES(${values.join(',')});`;
}

/** iterdump's table name: double-quoted, inner quotes doubled. */
function sqliteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** SQLite's `quote(text)`: single quotes doubled; the text ends at a NUL, as SQLite's C string does. */
export function sqliteQuoteText(text: string): string {
  const nul = text.indexOf('\0');
  return `'${(nul < 0 ? text : text.slice(0, nul)).replaceAll("'", "''")}'`;
}

/**
 * SQLite's `quote(real)`: `%!.15g` (always a decimal point: `0.0`, `1.0e-05`, `1.5e+15`), or `%!.20e`
 * when those 15 digits do not read back as the same double. The 20-digit form is exact here; old
 * SQLite builds (long double digits) may differ in its last digit.
 */
export function sqliteQuoteReal(value: number): string {
  if (Number.isNaN(value)) return 'NULL';
  if (!Number.isFinite(value)) return value > 0 ? '9.0e+999' : '-9.0e+999';
  const short = generic15(value);
  if (Number(short) === value) return short;
  return withExponent(value.toExponential(20));
}

function generic15(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = value.toExponential(14).split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent > 14) return withExponent(`${trimZeros(mantissa!)}e${exponentText}`);
  return trimZeros(value.toFixed(14 - exponent));
}

/** Trailing zeros go, but one digit stays after the point (`1.0`, SQLite's `!` flag). */
function trimZeros(text: string): string {
  if (!text.includes('.')) return `${text}.0`;
  const trimmed = text.replace(/0+$/, '');
  return trimmed.endsWith('.') ? `${trimmed}0` : trimmed;
}

/** C's exponent: a sign and at least two digits (`e-05`, `e+15`). */
function withExponent(text: string): string {
  const [mantissa, exponent] = text.split('e');
  const sign = exponent!.startsWith('-') ? '-' : '+';
  const digits = exponent!.replace(/^[+-]/, '');
  return `${mantissa}e${sign}${digits.padStart(2, '0')}`;
}
