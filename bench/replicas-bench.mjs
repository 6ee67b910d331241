// Creates per second across keys: several customer keys create users at once on several servers,
// sent to ONE API replica, then spread round robin over TWO replicas on the same PostgreSQL and the
// same Redis (the second replica: the first's DATABASE_URL, DATA_DIR and master key). The two
// configurations are measured in alternating rounds of one run, each round on fresh servers so that
// both see the same address-allocation cost; the two-replica figure is a ratio against one replica.
// No node is needed: RECONCILER_ENABLED=false (as in the HTTP bench), so a create is the API's and
// Postgres's work only, and the rate limit is raised so it measures the limiter's cost, never a 429.
// Needs `npm run build`. Run alone: node bench/replicas-bench.mjs
import { availableParallelism } from 'node:os';
import pg from 'pg';
import { startApiStack } from './api-stack.mjs';
import { client } from './lab-fleet.mjs';
import { median, startRedis, watchCpu } from './support.mjs';

const KEYS = 8;
const SERVERS = 8;
const IN_FLIGHT_PER_KEY = 4;
const CREATES = Number(process.env.BENCH_REPLICA_CREATES ?? 400);
const ROUNDS = Number(process.env.BENCH_REPLICA_ROUNDS ?? 3);
const WARM_UP_CREATES = 100;

/**
 * The local node and the customers: KEYS accounts with one API key each. Nothing is pushed (the
 * reconciler is off), so the node is a row the servers hang on.
 */
async function makeCustomers(admin) {
  const node = await admin.post('/api/admin/nodes', { name: 'bench-replicas', transport: 'local', public_ipv4: '198.51.100.7' });
  const customers = [];
  for (let k = 0; k < KEYS; k++) {
    const account = await admin.post('/api/admin/accounts', { name: `bench-customer-${k}`, kind: 'customer' });
    const { key } = await admin.post(`/api/admin/accounts/${account.id}/api-keys`, { name: 'bench' });
    customers.push({ accountId: account.id, key });
  }
  return { nodeId: node.id, customers };
}

/**
 * SERVERS fresh servers (set `set` of the run: its own interfaces, ports and /20 subnets), each lent to
 * two customers: key k creates on servers k and k+1, so every server takes creates from two keys.
 * Returns, per key, the assignment ids it creates on, and the servers' ids.
 */
async function makeServerSet(admin, fleet, set) {
  const serverIds = [];
  for (let s = 0; s < SERVERS; s++) {
    const n = set * SERVERS + s;
    const { id } = await admin.post(`/api/admin/nodes/${fleet.nodeId}/servers`, {
      name: `bench-${set}-${s}`,
      location: 'Bench',
      interface: `wg${n}`,
      listen_port: 52000 + n,
      ipv4_subnet: `10.${100 + (n >> 4)}.${(n & 15) << 4}.0/20`,
    });
    serverIds.push(id);
  }
  const assignments = fleet.customers.map(() => []);
  for (let s = 0; s < SERVERS; s++) {
    for (const k of [s % KEYS, (s + KEYS - 1) % KEYS]) {
      const { id } = await admin.post('/api/admin/assignments', { server_id: serverIds[s], account_id: fleet.customers[k].accountId, max_users: null });
      assignments[k].push(id);
    }
  }
  return { serverIds, assignments };
}

/**
 * `total` creates: IN_FLIGHT_PER_KEY workers per key, each create sent to the next replica of
 * `urls` (round robin, as a balancer does) on the key's next server. Any status but 201 stops the
 * bench. Returns creates per second from the first request to the last 201, and how busy the
 * machine's CPUs were meanwhile (everything shares them: this bench, the replicas, Postgres, Redis).
 */
async function burst(urls, fleet, set, total, label) {
  let sent = 0;
  let turn = 0;
  const worker = async (k) => {
    const { key } = fleet.customers[k];
    const mine = set.assignments[k];
    while (sent < total) {
      const i = sent++;
      const url = urls[turn++ % urls.length];
      const response = await fetch(`${url}/api/wg/servers/${mine[i % mine.length]}/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: `${label}-${i}` }),
      });
      const text = await response.text();
      if (response.status !== 201) throw new Error(`${label}: create ${i} → ${response.status}: ${text.slice(0, 300)}`);
    }
  };
  const cpu = await watchCpu();
  const t0 = performance.now();
  await Promise.all(fleet.customers.flatMap((_, k) => Array.from({ length: IN_FLIGHT_PER_KEY }, () => worker(k))));
  return { rate: (total / (performance.now() - t0)) * 1000, cpuBusy: await cpu() };
}

/** Postgres, the truth: exactly `expected` users on the set's servers, each with its own address. */
async function checkUsers(databaseUrl, set, expected) {
  const database = new pg.Client({ connectionString: databaseUrl });
  await database.connect();
  try {
    const { rows: [row] } = await database.query(
      'SELECT count(*)::int AS users, count(DISTINCT (server_id, ipv4))::int AS addresses FROM wg_user WHERE server_id = ANY($1::bigint[])',
      [set.serverIds],
    );
    if (row.users !== expected || row.addresses !== expected) throw new Error(`expected ${expected} users with distinct addresses, found ${JSON.stringify(row)}`);
  } finally {
    await database.end();
  }
}

export async function runReplicasBench() {
  const redis = await startRedis();
  let stack = null;
  try {
    stack = await startApiStack({
      LOG_LEVEL: 'warn',
      RECONCILER_ENABLED: 'false',
      RATE_LIMIT_PER_MINUTE: '1000000',
      REDIS_URL: redis.url,
    });
    const second = await stack.addReplica();
    const admin = client(stack.url, stack.adminKey);
    const fleet = await makeCustomers(admin);
    const configs = { one: [stack.url], two: [stack.url, second.url] };

    // Every set is made before any is measured, so the measured bursts are the only load.
    const sets = [];
    for (let s = 0; s < 1 + ROUNDS * 2; s++) sets.push(await makeServerSet(admin, fleet, s));
    let nextSet = 0;
    const measure = async (name, total) => {
      const set = sets[nextSet++];
      const result = await burst(configs[name], fleet, set, total, `${name}-${nextSet}`);
      await checkUsers(stack.databaseUrl, set, total);
      return result;
    };

    await measure('two', WARM_UP_CREATES); // both processes warm (JIT, pools, prepared statements)
    const rates = { one: [], two: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternating order, so drift in the machine's load hits both alike.
      const order = round % 2 === 0 ? ['one', 'two'] : ['two', 'one'];
      for (const name of order) rates[name].push(await measure(name, CREATES));
    }
    const one = median(rates.one.map((r) => r.rate));
    const two = median(rates.two.map((r) => r.rate));
    const [busyOne, busyTwo] = [median(rates.one.map((r) => r.cpuBusy)), median(rates.two.map((r) => r.cpuBusy))];
    const shape = `${KEYS} keys × ${IN_FLIGHT_PER_KEY} in flight, ${SERVERS} servers, ${CREATES} creates, no node (RECONCILER_ENABLED=false)`;
    return [
      {
        name: `creates/s across keys, ONE replica (${shape}), p50 of ${ROUNDS}`,
        value: Math.round(one),
        unit: 'creates/s',
        baseline: null,
        ratio: null,
        samples: rates.one,
      },
      {
        name: `creates/s across keys, TWO replicas round robin, one Postgres + one Redis, p50 of ${ROUNDS} (vs one replica)`,
        value: Math.round(two),
        unit: 'creates/s',
        baseline: Math.round(one),
        ratio: two / one,
        samples: rates.two,
      },
      // Whether the machine had room for a second replica: near 100 % busy with one, two cannot add.
      {
        name: `machine CPU busy during the creates with TWO replicas (vs ONE), ${availableParallelism()} CPUs shared by all`,
        value: Math.round(busyTwo * 100),
        unit: '% busy',
        baseline: Math.round(busyOne * 100),
        ratio: busyTwo / busyOne,
      },
    ];
  } finally {
    await stack?.stop();
    await redis.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await runReplicasBench());
}
