import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { ApiProcess, assertBuilt, DIST_CLI, sleep } from '../support/api-process.js';
import { freePort } from '../setup/test-database.js';
import { bearer } from '../support/test-app.js';
import { hostProcess } from './host-process.js';
import { isAlive, killNow, terminate, track, type TrackedPid } from './processes.js';

const execFileAsync = promisify(execFile);

export interface LabApiOptions {
  /** RECONCILE_INTERVAL_MS: the periodic pass (drift repair, retries). */
  reconcileIntervalMs: number;
  /** POLL_INTERVAL_MS: one `wg show IF dump` per server per interval. */
  pollIntervalMs: number;
  /** Any other setting the spec needs (README names). */
  env?: Record<string, string>;
}

/**
 * The API for lab specs, started as the README's first line does (`node dist/apps/api/src/main.js`,
 * what `npm start` runs after the build), with the README's default database: no DATABASE_URL, so it
 * starts its own embedded PostgreSQL under DATA_DIR (a temp dir here). That database is private to
 * the spec, so the reconciler runs unscoped, as in production: every server it finds is this spec's
 * lab node. The admin key comes from `cli.js bootstrap-admin` with the same environment.
 */
export class LabApi {
  url = '';
  adminKey = '';
  /** Every process started, oldest first: a killed one stays here for its output and for cleanup. */
  private readonly processes: ApiProcess[] = [];
  /** Further replicas of this deployment (startReplica), each with a DATA_DIR of its own. */
  private readonly replicas: Array<{ process: ApiProcess; dataDir: string }> = [];
  /** The embedded postmaster, tracked with its start time so a recycled pid is never signalled. */
  private postgres: TrackedPid | null = null;
  private readonly onHostExit = () => this.killAllNow();

  private constructor(
    readonly dataDir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    // If Jest dies, neither the API nor its orphaned PostgreSQL may outlive it.
    hostProcess.once('exit', this.onHostExit);
  }

  static async start(options: LabApiOptions): Promise<LabApi> {
    assertBuilt();
    const dataDir = await mkdtemp(join(tmpdir(), 'wgfleet-lab-api-'));
    // PostgreSQL runs as the `postgres` user (we are root): it must be able to enter DATA_DIR.
    await chmod(dataDir, 0o711);
    const api = new LabApi(dataDir, {
      ...basicEnvironment(),
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
      RECONCILER_ENABLED: 'true',
      RECONCILE_INTERVAL_MS: String(options.reconcileIntervalMs),
      POLL_INTERVAL_MS: String(options.pollIntervalMs),
      // The contract's 60 requests/min per key would throttle the specs' own polling and bursts.
      RATE_LIMIT_PER_MINUTE: '1000000',
      ...options.env,
    });
    try {
      await api.startProcess();
      api.adminKey = await api.bootstrapAdmin();
      return api;
    } catch (error) {
      await api.destroy().catch(() => undefined);
      throw error;
    }
  }

  get current(): ApiProcess {
    const last = this.processes.at(-1);
    if (!last) throw new Error('LabApi: no process started');
    return last;
  }

  get postgresPid(): number | null {
    return this.postgres?.pid ?? null;
  }

  /** Requests as one API key, against whichever process runs now. */
  as(key: string): ApiClient {
    return apiAt(() => this.url, key);
  }

  /** A WGDashboard client: its key in the `wg-dashboard-apikey` header. */
  wgd(key: string): ApiClient {
    return apiAt(() => this.url, key, { 'wg-dashboard-apikey': key });
  }

  /**
   * Starts (another) API process on the same DATA_DIR and ports; resolves once it listens. Call it
   * after stop() for the README's restart, or after killHard() for a crash.
   */
  async startProcess(): Promise<ApiProcess> {
    const api = new ApiProcess(this.env);
    this.processes.push(api);
    this.url = await api.listening(30_000);
    // After a kill -9 the same cluster is reused; after a clean stop (which stops it) a new one starts.
    if (this.postgres === null || !isAlive(this.postgres)) this.postgres = await this.readPostmaster();
    return api;
  }

  /**
   * Another replica of this deployment, given what the README's Replicas section says every replica
   * needs: the same MASTER_KEY (the first process's DATA_DIR/master-key), DATABASE_URL pointing at the
   * first process's embedded PostgreSQL, and the REDIS_URL given to start() (if any); a PORT and a
   * DATA_DIR of its own (nothing embedded starts with DATABASE_URL set). `env` overrides settings for
   * this replica only. Start it after start() has resolved: the schema is migrated by then.
   */
  async startReplica(env: Record<string, string> = {}): Promise<LabReplica> {
    const password = (await readFile(join(this.dataDir, 'postgres-password'), 'utf8')).trim();
    const masterKey = (await readFile(join(this.dataDir, 'master-key'), 'utf8')).trim();
    const dataDir = await mkdtemp(join(tmpdir(), 'wgfleet-lab-replica-'));
    const child = new ApiProcess({
      ...this.env,
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      DATABASE_URL: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${this.env.EMBEDDED_POSTGRES_PORT}/wgfleet`,
      MASTER_KEY: masterKey,
      ...env,
    });
    this.replicas.push({ process: child, dataDir });
    const url = await child.listening(30_000);
    return { process: child, url, as: (key: string) => apiAt(() => url, key) };
  }

  /** SIGKILL by pid: no shutdown hook runs, the embedded PostgreSQL is left running as an orphan. */
  async killHard(): Promise<void> {
    this.current.kill();
    await this.current.exit(10_000);
  }

  /** The README's stop (SIGTERM); resolves with the exit code. */
  stop(): Promise<number | null> {
    return this.current.stop('SIGTERM');
  }

  /** The pid in DATA_DIR/postgres/postmaster.pid, or null when there is none (a stopped cluster). */
  async postmasterPidOnDisk(): Promise<number | null> {
    const text = await readFile(join(this.dataDir, 'postgres', 'postmaster.pid'), 'utf8').catch(() => null);
    const pid = Number(text?.split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  }

  isPostgresAlive(): boolean {
    return this.postgres !== null && isAlive(this.postgres);
  }

  /** All output of every process started, for failure messages. */
  output(): string {
    const replicas = this.replicas.map(({ process: p }, i) => `--- replica ${i + 2} (pid ${p.pid}) ---\n${p.output()}`);
    return [...this.processes.map((p, i) => `--- API process ${i + 1} (pid ${p.pid}) ---\n${p.output()}`), ...replicas].join('\n');
  }

  /**
   * Stops every API process, then the PostgreSQL (by its pid: after a kill -9 it is an orphan that no
   * API stops), and removes DATA_DIR. Returns what could not be cleaned up.
   */
  async destroy(): Promise<string[]> {
    const problems: string[] = [];
    for (const { process: replica, dataDir } of this.replicas) {
      replica.kill();
      await replica.exit(10_000).catch(() => problems.push(`replica pid ${replica.pid} did not exit`));
      await rm(dataDir, { recursive: true, force: true });
    }
    for (const api of this.processes) {
      api.kill();
      await api.exit(10_000).catch(() => problems.push(`API pid ${api.pid} did not exit`));
    }
    if (this.postgres && isAlive(this.postgres)) {
      // SIGINT is PostgreSQL's fast shutdown: sessions are cut, the data is checkpointed.
      process.kill(this.postgres.pid, 'SIGINT');
      for (let waited = 0; waited < 10_000 && isAlive(this.postgres); waited += 100) await sleep(100);
      for (const p of await terminate([this.postgres])) problems.push(`postgres pid ${p.pid} survived SIGKILL`);
    }
    await rm(this.dataDir, { recursive: true, force: true });
    hostProcess.removeListener('exit', this.onHostExit);
    return problems;
  }

  private async bootstrapAdmin(): Promise<string> {
    const { stdout } = await execFileAsync(process.execPath, [DIST_CLI, 'bootstrap-admin'], { env: this.env, timeout: 30_000 });
    const key = stdout.trim();
    if (!/^wg_\S+$/.test(key)) throw new Error(`bootstrap-admin printed no key: ${JSON.stringify(stdout)}`);
    return key;
  }

  private async readPostmaster(): Promise<TrackedPid> {
    const pid = await this.postmasterPidOnDisk();
    const tracked = pid === null ? null : track(pid, 'embedded postgres');
    if (!tracked) throw new Error(`no running PostgreSQL in ${this.dataDir}/postgres after the API started:\n${this.output()}`);
    return tracked;
  }

  private killAllNow(): void {
    for (const api of [...this.processes, ...this.replicas.map((r) => r.process)]) api.kill();
    if (this.postgres) killNow([this.postgres]);
  }
}

/** api-lab.ts's apiAs, for an API reached by URL rather than by an in-process server. */
export function apiAt(url: () => string, key: string, headers: Record<string, string> = bearer(key)) {
  return {
    get: (path: string) => request(url()).get(path).set(headers),
    post: (path: string, body: object = {}) => request(url()).post(path).set(headers).send(body),
    put: (path: string, body: object) => request(url()).put(path).set(headers).send(body),
    patch: (path: string, body: object) => request(url()).patch(path).set(headers).send(body),
    del: (path: string) => request(url()).delete(path).set(headers),
  };
}

export type ApiClient = ReturnType<typeof apiAt>;

/** A replica started by LabApi.startReplica: its process, its base URL, requests as one key. */
export interface LabReplica {
  process: ApiProcess;
  url: string;
  as(key: string): ApiClient;
}

/**
 * What a shell would pass on, minus every wgfleet setting (DATABASE_URL, REDIS_URL, MASTER_KEY …):
 * the spec must run on the README's defaults plus only what it sets itself.
 */
function basicEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'TMPDIR']) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}
