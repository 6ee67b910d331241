import { rm } from 'node:fs/promises';
import { escapedChanges, rootNamespaceState } from './root-namespace-guard.mjs';

export default async function globalTeardown() {
  const started = globalThis.__wgfleetTestPostgres;
  if (started) {
    await started.postgres.stop();
    await rm(started.dataDir, { recursive: true, force: true });
  }
  const before = globalThis.__wgfleetRootNamespace;
  if (before) {
    const escaped = escapedChanges(before, await rootNamespaceState());
    if (escaped.length > 0) {
      throw new Error(`a test changed this machine's root namespace (remove by hand): ${escaped.join(', ')}`);
    }
  }
}
