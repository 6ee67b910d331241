import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { ApiProcess, assertBuilt, DIST_CLI, isAlive, sleep } from '../support/api-process.js';
import { freePort, migratedDatabaseUrl } from '../setup/test-database.js';

const run = promisify(execFile);
jest.setTimeout(180_000);

/** The README's start, as a user runs it: a real process with embedded PostgreSQL. */
describe('starting the API on embedded defaults', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  const started: ApiProcess[] = [];

  const start = () => {
    const api = new ApiProcess(env);
    started.push(api);
    return api;
  };
  const postmasterPid = async () => Number((await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const databaseUrl = async () => {
    const password = (await readFile(join(dataDir, 'postgres-password'), 'utf8')).trim();
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${env.EMBEDDED_POSTGRES_PORT}/wgfleet`;
  };

  beforeAll(async () => {
    assertBuilt();
    dataDir = await mkdtemp(join(tmpdir(), 'wgfleet-start-'));
    await chmod(dataDir, 0o711);
    const { DATABASE_URL: _ignored, ...inherited } = process.env;
    env = {
      ...inherited,
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    };
  });

  afterAll(async () => {
    for (const api of started) api.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts PostgreSQL and the API, is ready, and stops both cleanly on SIGTERM', async () => {
    const api = start();
    const base = await api.listening();
    expect(api.stderr.join('')).toContain(`curl -s ${base}/ready`);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);

    // Postgres ran as the dedicated user, never as root.
    const pid = await postmasterPid();
    const owner = (await stat(join(dataDir, 'postgres'))).uid;
    expect(owner).not.toBe(0);

    const client = new Client({ connectionString: await databaseUrl() });
    await client.connect();
    await client.query(`INSERT INTO audit_log (action) VALUES ('start-test')`);
    await client.end();

    expect(await api.stop('SIGTERM')).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(api.output()).toContain('"msg":"embedded PostgreSQL stopped"');
  });

  it('reuses the data on a second start and stops on SIGINT', async () => {
    const api = start();
    const base = await api.listening();
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    expect(api.output()).not.toContain('migrations applied');

    const client = new Client({ connectionString: await databaseUrl() });
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'start-test'`);
    await client.end();
    expect(rows[0].n).toBe(1);

    const pid = await postmasterPid();
    expect(await api.stop('SIGINT')).toBe(0);
    expect(isAlive(pid)).toBe(false);
  });

  it('runs the CLI against the running cluster, and starts and stops one when the API is down', async () => {
    const api = start();
    await api.listening();
    const pid = await postmasterPid();
    const whileRunning = await run(process.execPath, [DIST_CLI, 'migrate'], { env });
    expect(whileRunning.stdout).toBe('migrations: up to date\n');
    expect(isAlive(pid)).toBe(true);

    // bootstrap-admin prints one admin key alone on its line, and the running API accepts it.
    const bootstrap = await run(process.execPath, [DIST_CLI, 'bootstrap-admin'], { env });
    expect(bootstrap.stdout).toMatch(/^wg_[A-Za-z0-9]{46}\n$/);
    const adminKey = bootstrap.stdout.trim();
    const base = await api.listening();
    const accounts = await fetch(`${base}/api/admin/accounts`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(accounts.status).toBe(200);
    expect(((await accounts.json()) as { accounts: Array<{ kind: string }> }).accounts[0].kind).toBe('admin');

    // wgdashboard-key prints one WGDashboard key alone on its line, bound to the `local` node it creates once.
    const keys: string[] = [];
    for (let i = 0; i < 2; i++) {
      const printed = await run(process.execPath, [DIST_CLI, 'wgdashboard-key'], { env });
      expect(printed.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
      keys.push(printed.stdout.trim());
    }
    for (const key of keys) {
      const handshake = await fetch(`${base}/api/handshake`, { headers: { 'wg-dashboard-apikey': key } });
      expect([handshake.status, await handshake.text()]).toEqual([200, '{"data":null,"message":null,"status":true}\n']);
    }
    const nodes = (await (await fetch(`${base}/api/admin/nodes`, { headers: { authorization: `Bearer ${adminKey}` } })).json()) as {
      nodes: Array<{ name: string; transport: string }>;
    };
    expect(nodes.nodes.filter((node) => node.name === 'local')).toEqual([expect.objectContaining({ name: 'local', transport: 'local' })]);
    await expect(run(process.execPath, [DIST_CLI, 'wgdashboard-key', '--node', 'nope'], { env })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('there is no node named "nope"'),
    });
    expect(await api.stop('SIGTERM')).toBe(0);

    const whileStopped = await run(process.execPath, [DIST_CLI, 'migrate'], { env });
    expect(whileStopped.stdout).toBe('migrations: up to date\n');
    await sleep(200);
    await expect(readFile(join(dataDir, 'postgres', 'postmaster.pid'))).rejects.toThrow();
  });

  it('reuses a cluster left behind by a killed API', async () => {
    const first = start();
    await first.listening();
    const pid = await postmasterPid();
    first.kill();
    await first.exit();
    expect(isAlive(pid)).toBe(true);

    const second = start();
    const base = await second.listening();
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    expect(second.output()).toContain('embedded PostgreSQL reused');
    // A reused cluster is not ours to stop; stop it by its pid for the next test.
    expect(await second.stop('SIGTERM')).toBe(0);
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
    expect(isAlive(pid)).toBe(false);
  });

  it('refuses a bad setting with a message naming the variable', async () => {
    const api = new ApiProcess({ ...env, PORT: 'eighty' });
    started.push(api);
    expect(await api.exit()).toBe(1);
    expect(api.stderr.join('')).toMatch(/PORT must be an integer between 0 and 65535 \(got "eighty"\)/);
  });

  it('uses DATABASE_URL instead of starting anything embedded', async () => {
    const otherDataDir = await mkdtemp(join(tmpdir(), 'wgfleet-nodb-'));
    const api = new ApiProcess({ ...env, DATA_DIR: otherDataDir, DATABASE_URL: await migratedDatabaseUrl() });
    started.push(api);
    try {
      const base = await api.listening();
      expect((await fetch(`${base}/ready`)).status).toBe(200);
      expect(api.stderr.join('')).toContain('database  DATABASE_URL');
      await expect(stat(join(otherDataDir, 'postgres'))).rejects.toThrow();
      expect(await api.stop('SIGTERM')).toBe(0);
    } finally {
      await rm(otherDataDir, { recursive: true, force: true });
    }
  });
});
