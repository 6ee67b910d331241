import type { AppConfig, Logger } from '@wgfleet/core';

export interface DatabaseHandle {
  url: string;
  /** Where the data lives, for the start banner: 'DATABASE_URL' or the embedded cluster's directory. */
  description: string;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL when given; otherwise the embedded PostgreSQL under DATA_DIR, started here or
 * reused when it already runs (the API and the CLI can share one cluster).
 */
export async function provideDatabase(config: AppConfig, logger: Logger): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) {
    return { url: config.DATABASE_URL, description: 'DATABASE_URL', stop: async () => {} };
  }
  // A real dynamic import: the embedded starter is an ES module (see its header).
  const { startEmbeddedPostgres } = await import('./embedded/embedded-postgres.mjs');
  const log = logger.child({ component: 'embedded-postgres' });
  const handle = await startEmbeddedPostgres({
    dataDir: config.DATA_DIR,
    port: config.EMBEDDED_POSTGRES_PORT,
    onLog: (line) => log.debug(line),
  });
  log.info({ started: handle.started, pid: handle.pid, port: config.EMBEDDED_POSTGRES_PORT }, handle.started ? 'embedded PostgreSQL started' : 'embedded PostgreSQL reused');
  return {
    url: handle.url,
    description: `embedded PostgreSQL in ${config.DATA_DIR}/postgres`,
    stop: async () => {
      await handle.stop();
      if (handle.started) log.info('embedded PostgreSQL stopped');
    },
  };
}
