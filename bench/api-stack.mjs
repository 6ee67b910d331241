// The API as `npm start` runs it (dist/apps/api/src/main.js) on its own embedded Postgres, with an
// admin key from `cli.js bootstrap-admin`, and its structured log lines kept for the bench to read.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess, tempDir } from './support.mjs';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const require = createRequire(import.meta.url);

/** The JSON lines a process wrote to stdout so far, parsed once each (the output only grows). */
class LogLines {
  #read = 0;
  #lines = [];
  constructor(output) {
    this.output = output;
  }

  all() {
    const text = this.output();
    const end = text.lastIndexOf('\n') + 1;
    for (const line of text.slice(this.#read, end).split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        this.#lines.push(JSON.parse(line));
      } catch {
        // Not one of the logger's lines (the banner goes to stderr, but stay tolerant).
      }
    }
    this.#read = Math.max(this.#read, end);
    return this.#lines;
  }
}

/**
 * Starts Postgres, migrates, makes an admin key and starts the API with `env` on top of the
 * defaults. Returns `{ url, adminKey, masterKey, databaseUrl, logs, addReplica, stop }`; `stop()`
 * ends every process (replicas too) by its pid and removes the data dir, and is safe to call after
 * a partial start.
 */
export async function startApiStack(env = {}) {
  const { startEmbeddedPostgres } = await import(join(dist, 'libs/database/src/embedded/embedded-postgres.mjs'));
  const { runMigrations } = require(join(dist, 'libs/database/src/index.js'));
  const data = await tempDir('wgfleet-bench-api-');
  const cleanups = [() => data.remove()];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => {});
  };
  try {
    const postgres = await startEmbeddedPostgres({ dataDir: data.dir, port: await freePort() });
    cleanups.unshift(() => postgres.stop());
    await runMigrations(postgres.url);
    // Given, not generated into DATA_DIR, so the bench can seal secrets the API can open.
    const masterKey = randomBytes(32).toString('base64');
    const base = { ...process.env, DATABASE_URL: postgres.url, DATA_DIR: data.dir, MASTER_KEY: masterKey };
    const cli = await startProcess(process.execPath, [join(dist, 'apps/api/src/cli.js'), 'bootstrap-admin'], {
      env: { ...base, RECONCILER_ENABLED: 'false' },
      ready: async (out) => /^wg_[A-Za-z0-9]{46}$/m.test(out),
      label: 'bootstrap-admin',
    });
    const adminKey = /^(wg_[A-Za-z0-9]{46})$/m.exec(cli.output())[1];
    await cli.stop();

    // One more API process on this stack's Postgres, DATA_DIR and master key: a replica.
    const startReplica = async (label) => {
      const port = await freePort();
      const api = await startProcess(process.execPath, [join(dist, 'apps/api/src/main.js')], {
        env: { ...base, PORT: String(port), ...env },
        ready: async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok,
        label,
      });
      cleanups.unshift(() => api.stop());
      return { url: `http://127.0.0.1:${port}`, logs: new LogLines(api.stdout) };
    };
    const first = await startReplica('api');
    return {
      url: first.url,
      adminKey,
      masterKey,
      databaseUrl: postgres.url,
      logs: first.logs,
      /** Starts another replica with the same settings; resolves to `{ url, logs }` once it is ready. */
      addReplica: () => startReplica('api replica'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
