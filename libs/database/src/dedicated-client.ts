import { Client } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * A pg client of its own (not from TypeORM's pool), for what must stay on one session: advisory
 * locks and LISTEN. Same server and credentials as the app's data source.
 */
export function dedicatedClient(dataSource: DataSource, purpose: string): Client {
  const options = dataSource.options as { url?: string; host?: string; port?: number; username?: string; password?: string; database?: string };
  return new Client({
    connectionString: options.url,
    host: options.host,
    port: options.port,
    user: options.username,
    password: options.password,
    database: options.database,
    application_name: `wgfleet-${purpose}`,
    connectionTimeoutMillis: 5_000,
  });
}
