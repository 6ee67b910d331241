// Authenticated GET /api/wg/servers through the whole app (auth guard, rate limiter, database
// read) against a bare Fastify answering the same JSON bytes, measured round-robin in one run.
// The limit is set out of reach so the limiter's cost is measured, never its refusals.
import autocannon from 'autocannon';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, median, startProcess, startRedis, tempDir } from './support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const require = createRequire(import.meta.url);

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;

async function load(url, headers) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

export async function runHttpBench() {
  const { startEmbeddedPostgres } = await import(join(dist, 'libs/database/src/embedded/embedded-postgres.mjs'));
  const { runMigrations } = require(join(dist, 'libs/database/src/index.js'));
  const data = await tempDir('wgfleet-bench-');
  const postgres = await startEmbeddedPostgres({ dataDir: data.dir, port: await freePort() });
  const cleanups = [() => postgres.stop(), () => data.remove()];
  try {
    await runMigrations(postgres.url);
    // The seeded servers are rows only (no real keys, no node): nothing to push, so no reconciler.
    const env = { ...process.env, DATABASE_URL: postgres.url, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000', DATA_DIR: data.dir, RECONCILER_ENABLED: 'false' };
    const cli = await startProcess(process.execPath, [join(dist, 'apps/api/src/cli.js'), 'bootstrap-admin'], {
      env,
      ready: async (out) => /^wg_[A-Za-z0-9]{46}$/m.test(out),
      label: 'bootstrap-admin',
    });
    const key = /^(wg_[A-Za-z0-9]{46})$/m.exec(cli.output())[1];
    await cli.stop();
    await seedServers(postgres.url);
    const headers = { authorization: `Bearer ${key}` };

    const redis = await startRedis();
    cleanups.unshift(() => redis.stop());

    const startApi = async (extra) => {
      const port = await freePort();
      const api = await startProcess(process.execPath, [join(dist, 'apps/api/src/main.js')], {
        env: { ...env, PORT: String(port), ...extra },
        ready: async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok,
        label: 'api',
      });
      cleanups.unshift(() => api.stop());
      return `http://127.0.0.1:${port}/api/wg/servers`;
    };
    const memoryUrl = await startApi({});
    const redisUrl = await startApi({ REDIS_URL: redis.url });

    const body = await (await fetch(memoryUrl, { headers })).text();
    const barePort = await freePort();
    const bare = await startProcess(process.execPath, [join(here, 'bare-fastify.mjs'), String(barePort)], {
      env: { ...process.env, BENCH_BODY: body },
      ready: async () => (await fetch(`http://127.0.0.1:${barePort}/`)).ok,
      label: 'bare fastify',
    });
    cleanups.unshift(() => bare.stop());
    const bareUrl = `http://127.0.0.1:${barePort}/api/wg/servers`;

    // The framework's floor: wgfleet's GET /health (no key, no limiter, no database) on the same process.
    const healthUrl = memoryUrl.replace('/api/wg/servers', '/health');
    const targets = { bare: bareUrl, health: healthUrl, memory: memoryUrl, redis: redisUrl };
    const samples = { bare: [], health: [], memory: [], redis: [] };
    for (const url of Object.values(targets)) await load(url, headers); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, url] of Object.entries(targets)) samples[name].push(await load(url, headers));
    }
    const bareRps = median(samples.bare);
    return [
      { name: 'GET /api/wg/servers, bare Fastify, same JSON', value: Math.round(bareRps), unit: 'req/s', baseline: Math.round(bareRps), ratio: 1 },
      { name: 'GET /health, wgfleet (Nest floor: no auth, no DB)', value: Math.round(median(samples.health)), unit: 'req/s', baseline: Math.round(bareRps), ratio: median(samples.health) / bareRps },
      { name: 'GET /api/wg/servers, wgfleet, memory limiter', value: Math.round(median(samples.memory)), unit: 'req/s', baseline: Math.round(bareRps), ratio: median(samples.memory) / bareRps },
      { name: 'GET /api/wg/servers, wgfleet, Redis limiter', value: Math.round(median(samples.redis)), unit: 'req/s', baseline: Math.round(bareRps), ratio: median(samples.redis) / bareRps },
      // The limiter's cost on its own: the same route and process settings, the windows in Redis instead of memory.
      {
        name: 'limiter cost: GET /api/wg/servers with the Redis limiter (vs the memory limiter)',
        value: Math.round(median(samples.redis)),
        unit: 'req/s',
        baseline: Math.round(median(samples.memory)),
        ratio: median(samples.redis) / median(samples.memory),
      },
    ];
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  }
}

/** Two servers lent to the admin account, so the list has real rows to read and render. */
async function seedServers(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: [node] } = await client.query(`INSERT INTO node (name, transport, public_ipv4) VALUES ('bench', 'local', '198.51.100.7') RETURNING id`);
    const { rows: [admin] } = await client.query(`SELECT id FROM account WHERE kind = 'admin' ORDER BY id LIMIT 1`);
    for (const [i, port] of [[0, 51820], [1, 51821]]) {
      const { rows: [server] } = await client.query(
        `INSERT INTO server (node_id, name, location, interface, listen_port, private_key_enc, public_key, ipv4_subnet, dns)
         VALUES ($1, $2, 'Bench', $3, $4, '\\x00', 'jnr3ZYYH+P5gOKVWi+5ArsAtZGUdDlcWDfBDDA5pjTs=', $5, '{1.1.1.1}') RETURNING id`,
        [node.id, `bench-${i}`, `wg${i}`, port, `10.${80 + i}.0.0/24`],
      );
      await client.query(`INSERT INTO assignment (server_id, account_id) VALUES ($1, $2)`, [server.id, admin.id]);
    }
  } finally {
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await runHttpBench());
}
