import { rm } from 'node:fs/promises';

export default async function globalTeardown() {
  const started = globalThis.__wgfleetTestPostgres;
  if (!started) return;
  await started.postgres.stop();
  await rm(started.dataDir, { recursive: true, force: true });
}
