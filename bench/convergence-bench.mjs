// Convergence on a real node: the built API (reconciler on) pushes over real SSH to a lab node (network
// namespace, sshd, wireguard-go), as in test/lab. Questions from issues 5 and 7:
//   1. a burst of 1,000 creates on one server: how many SSH pushes, and how long until all are active;
//   2. create → live on the node, one create at a time on a quiet server (p50);
//   3. one change on a server that holds 10,000 peers, against the same change on a small server;
//   4. listing every user of that 10,000-peer server through the API, page by page.
// Figures are ratios against a baseline measured in this run; push counts are counts.
// Needs root (namespaces) and `npm run build`. Run alone: node bench/convergence-bench.mjs
import pg from 'pg';
import { startApiStack } from './api-stack.mjs';
import { loadLab } from './lab-loader.mjs';
import { makeFleet, waitFor } from './lab-fleet.mjs';
import { pushCarrying, pushesOf } from './push-log.mjs';
import { seedUsers } from './seed-peers.mjs';
import { median } from './support.mjs';

const SEQUENTIAL = 20;
const BURST = 1_000;
const BURST_CONCURRENCY = Number(process.env.BENCH_BURST_CONCURRENCY ?? 32);
const BIG = 10_000;
const ONE_CHANGE_RUNS = 5;
const LIST_PAGE = 500; // the contract's largest page
const LIST_RUNS = 3;
// The reconciler's least gap between two pushes of one server (reconciler-options.ts, 1 s): waiting a
// little longer than that before each single create measures a create on a quiet server, not a queue.
const QUIET_MS = 1_100;

const SERVERS = {
  small: { name: 'bench-small', interface: 'wg0', listen_port: 51820, ipv4_subnet: '10.66.0.0/24' },
  burst: { name: 'bench-burst', interface: 'wg1', listen_port: 51821, ipv4_subnet: '10.66.8.0/21' },
  big: { name: 'bench-big', interface: 'wg2', listen_port: 51822, ipv4_subnet: '10.66.64.0/18' },
};

// Polls the node's own `wg show IF peers` until the key is there. Constant text: the interface name
// and the key arrive as $1 and $2. Bounded: 3,000 rounds of ≥ 5 ms.
const WATCH_PEER = 'i=0; while [ $i -lt 3000 ]; do wg show "$1" peers | grep -qxF "$2" && exit 0; i=$((i+1)); sleep 0.005; done; exit 1';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function peerCount(node, ifname) {
  const result = await node.exec(['wg', 'show', ifname, 'peers'], { timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`wg show ${ifname} peers: ${result.stderr}`);
  return result.stdout.split('\n').filter(Boolean).length;
}

async function peerOnNode(node, ifname, publicKey) {
  const result = await node.exec(['wg', 'show', ifname, 'peers'], { timeoutMs: 30_000 });
  return result.stdout.split('\n').includes(publicKey);
}

/**
 * One create on a quiet server, timed from its 201: until the reconciler's push that carries it is
 * done (its `apply done` log line), until the user reads `active`, and (with `watch`) until the peer
 * shows in `wg show` on the node itself.
 */
async function timedCreate(ctx, server, name, { watch }) {
  const { desired_generation: before } = (await ctx.fleet.admin.get(`/api/admin/servers/${server.id}`)).sync;
  const t0 = Date.now();
  const user = await ctx.fleet.customer.post(`/api/wg/servers/${server.assignmentId}/users`, { client_name: name });
  const t201 = Date.now();
  const live = watch
    ? ctx.node.exec(['sh', '-c', WATCH_PEER, 'sh', server.ifname, user.public_key], { timeoutMs: 60_000 }).then((r) => {
        if (r.code !== 0) throw new Error(`${name} never showed on the node: ${r.stderr}`);
        return Date.now();
      })
    : null;
  const active = waitFor(`${name} active`, async () => (await ctx.fleet.customer.get(`/api/wg/users/${user.id}`)).provisioning.state === 'active' && Date.now(), 60_000, 10);
  const [tLive, tActive] = await Promise.all([live, active]);
  const push = await waitFor(`the push carrying ${name}`, async () => pushCarrying(ctx.logs, server.id, before + 1, t0), 10_000);
  if (!watch && !(await peerOnNode(ctx.node, server.ifname, user.public_key))) throw new Error(`${name} is active but not on the node`);
  return { post: t201 - t0, onNode: tLive === null ? null : tLive - t201, pushDone: push.doneAt - t201, active: tActive - t201, pushMs: push.durationMs };
}

async function sequentialCreates(ctx) {
  const runs = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    await sleep(QUIET_MS);
    runs.push(await timedCreate(ctx, ctx.fleet.servers[0], `seq-${i}`, { watch: true }));
  }
  const pushMs = median(runs.map((r) => r.pushMs));
  const row = (name, values) => ({ name, value: Math.round(median(values)), unit: 'ms', baseline: pushMs, ratio: median(values) / pushMs });
  return [
    row(`create → peer in wg show on the node, p50 of ${SEQUENTIAL} (vs its SSH push)`, runs.map((r) => r.onNode)),
    row(`create → user reads active, p50 of ${SEQUENTIAL} (vs its SSH push)`, runs.map((r) => r.active)),
  ];
}

async function burstOfCreates(ctx) {
  const server = ctx.fleet.servers[1];
  const database = new pg.Client({ connectionString: ctx.stack.databaseUrl });
  await database.connect();
  try {
    const t0 = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < BURST) {
        const i = next++;
        await ctx.fleet.customer.post(`/api/wg/servers/${server.assignmentId}/users`, { client_name: `burst-${i}` });
      }
    };
    await Promise.all(Array.from({ length: BURST_CONCURRENCY }, worker));
    const tPosted = Date.now();
    // The truth is Postgres: every user of the burst in state `active`.
    const activeCount = async () => Number((await database.query(`SELECT count(*) FROM wg_user WHERE server_id = $1 AND state = 'active'`, [server.id])).rows[0].count);
    const tActive = await waitFor('all burst users active', async () => (await activeCount()) === BURST && Date.now(), 120_000, 20);
    // A push that was already running when the last user committed is followed by one more; let it show.
    await sleep(QUIET_MS);
    const pushes = pushesOf(ctx.logs, server.id).filter((push) => push.startedAt >= t0);
    const onNode = await peerCount(ctx.node, server.ifname);
    if (onNode !== BURST) throw new Error(`burst: ${onNode} peers on the node, expected ${BURST}`);
    return [
      { name: `burst of ${BURST} creates, ${BURST_CONCURRENCY} in flight: SSH pushes (goal ≤ 10)`, value: pushes.length, unit: 'pushes', baseline: null, ratio: null },
      {
        name: `burst of ${BURST} creates: start → all active (vs start → last 201)`,
        value: tActive - t0,
        unit: 'ms',
        baseline: tPosted - t0,
        ratio: (tActive - t0) / (tPosted - t0),
      },
    ];
  } finally {
    await database.end();
  }
}

/**
 * The customer lists every user of the 10,000-peer server through the API, page by page at the
 * contract's largest page (500), against Postgres returning the same rows in one SELECT.
 */
async function listBigServer(ctx, big) {
  const listAll = async () => {
    let count = 0;
    let cursor = null;
    do {
      const query = `limit=${LIST_PAGE}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const page = await ctx.fleet.customer.get(`/api/wg/servers/${big.assignmentId}/users?${query}`);
      count += page.users.length;
      cursor = page.next_cursor;
    } while (cursor !== null);
    if (count !== BIG) throw new Error(`the list of the big server gave ${count} users, expected ${BIG}`);
  };
  const database = new pg.Client({ connectionString: ctx.stack.databaseUrl });
  await database.connect();
  try {
    const selectAll = async () => {
      const { rowCount } = await database.query('SELECT * FROM wg_user WHERE server_id = $1 ORDER BY id', [big.id]);
      if (rowCount !== BIG) throw new Error(`SELECT gave ${rowCount} users, expected ${BIG}`);
    };
    const runs = { api: [], sql: [] };
    await listAll(); // warm-up
    await selectAll();
    for (let i = 0; i < LIST_RUNS; i++) {
      let t0 = performance.now();
      await listAll();
      runs.api.push(performance.now() - t0);
      t0 = performance.now();
      await selectAll();
      runs.sql.push(performance.now() - t0);
    }
    const [value, baseline] = [median(runs.api), median(runs.sql)];
    return {
      name: `${BIG}-peer server: list every user, GET …/users?limit=${LIST_PAGE} × ${BIG / LIST_PAGE} pages, p50 of ${LIST_RUNS} (vs one SQL SELECT of the rows)`,
      value: Math.round(value),
      unit: 'ms',
      baseline: Math.round(baseline),
      ratio: value / baseline,
    };
  } finally {
    await database.end();
  }
}

async function oneChangeOnBigServer(ctx) {
  const [small, , big] = ctx.fleet.servers;
  const { databaseUrl, masterKey } = ctx.stack;
  const generation = await seedUsers({ databaseUrl, masterKey, serverId: big.id, assignmentId: big.assignmentId, subnet: SERVERS.big.ipv4_subnet, count: BIG });
  await ctx.fleet.admin.post(`/api/admin/servers/${big.id}/reconcile`);
  const full = await waitFor(`the ${BIG}-peer push`, async () => pushCarrying(ctx.logs, big.id, generation), 120_000, 50);
  const seeded = await peerCount(ctx.node, big.ifname);
  if (seeded !== BIG) throw new Error(`big server: ${seeded} peers on the node, expected ${BIG}`);
  const list = await listBigServer(ctx, big);

  const runs = { small: [], big: [] };
  for (let i = 0; i < ONE_CHANGE_RUNS; i++) {
    // Interleaved, so drift in the machine's load hits both sides alike.
    await sleep(QUIET_MS);
    runs.small.push(await timedCreate(ctx, small, `one-small-${i}`, { watch: false }));
    await sleep(QUIET_MS);
    runs.big.push(await timedCreate(ctx, big, `one-big-${i}`, { watch: false }));
  }
  const compare = (name, pick) => {
    const [value, baseline] = [median(runs.big.map(pick)), median(runs.small.map(pick))];
    return { name, value: Math.round(value), unit: 'ms', baseline: Math.round(baseline), ratio: value / baseline };
  };
  const smallPeers = SEQUENTIAL + ONE_CHANGE_RUNS;
  return [
    list,
    { name: `full push of ${BIG} peers to an empty interface (apply time)`, value: full.durationMs, unit: 'ms', baseline: null, ratio: null },
    compare(`${BIG}-peer server, one create → push done, p50 of ${ONE_CHANGE_RUNS} (vs ≤ ${smallPeers} peers)`, (r) => r.pushDone),
    compare(`${BIG}-peer server, one create → user reads active, p50 (vs ≤ ${smallPeers} peers)`, (r) => r.active),
    compare(`${BIG}-peer server, one create: its SSH push (apply time), p50 (vs ≤ ${smallPeers} peers)`, (r) => r.pushMs),
    compare(`${BIG}-peer server, one create: POST latency, p50 (vs ≤ ${smallPeers} peers)`, (r) => r.post),
  ];
}

export async function runConvergenceBench() {
  if (process.getuid() !== 0) throw new Error('the convergence bench needs root (network namespaces, sshd, wireguard-go), like test/lab');
  const { Lab } = await loadLab();
  const lab = await Lab.create({ nodes: 1, clientsPerNode: 0, internet: false });
  let stack = null;
  try {
    stack = await startApiStack({
      LOG_LEVEL: 'info', // the reconciler's `apply start` / `apply done` lines are info
      RECONCILER_ENABLED: 'true',
      RATE_LIMIT_PER_MINUTE: '1000000',
      // No periodic pass and no status poll during the run: every push counted is one a write caused.
      RECONCILE_INTERVAL_MS: '3600000',
      POLL_INTERVAL_MS: '3600000',
    });
    const node = lab.nodes[0];
    const fleet = await makeFleet(stack.url, stack.adminKey, node, Object.values(SERVERS));
    const ctx = { stack, logs: stack.logs, node, fleet };
    return [...(await sequentialCreates(ctx)), ...(await burstOfCreates(ctx)), ...(await oneChangeOnBigServer(ctx))];
  } catch (error) {
    // What the API said about it: its warnings and errors (pushes that failed, and why).
    const said = stack?.logs.all().filter((line) => ['warn', 'error', 'fatal'].includes(line.level)) ?? [];
    for (const line of said.slice(-15)) console.error(JSON.stringify(line));
    throw error;
  } finally {
    await stack?.stop();
    await lab.destroy();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await runConvergenceBench());
}
