import { existsSync } from 'node:fs';
import { parseWgDump } from '@wgfleet/wireguard';
import type { ApiProcess } from '../support/api-process.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { nodeOutput, waitFor } from './api-lab.js';
import { LabApi, type ApiClient, type LabReplica } from './api-process-lab.js';
import { fireCreates, type CreateOutcome } from './create-burst.js';
import { Lab, type LabNode } from './lab.js';
import { createCustomer, labServerFor, serverSync } from './lab-fleet.js';

/**
 * Issue 7's proof: wgfleet as replicas behind a load balancer, on ONE PostgreSQL and ONE Redis (a
 * real redis-server), every API a real `node dist/apps/api/src/main.js` as the README starts it.
 * Replica 1 is LabApi's process (its embedded PostgreSQL is the database); every other replica gets
 * what the README's Replicas section lists: the same MASTER_KEY, DATABASE_URL, REDIS_URL, a port
 * of its own. The node is a real lab node (sshd + wireguard-go) reached over SSH.
 *
 * - 60/min per key holds exactly across two replicas started with the contract's limit;
 * - a key revoked on one replica fails there at once and on the other within 5 s;
 * - a burst of creates spread over the two reconciling replicas ends with exactly the created peers
 *   on the node, and no two pushes of the server overlap (both replicas' own push log lines);
 * - `kill -9` of a replica mid-burst loses nothing: the other one converges the node to Postgres.
 */

jest.setTimeout(300_000);

const IFNAME = 'wg0';
const LISTEN_PORT = 51820;
const CONTRACT_LIMIT = 60;
const BURST = 80;
const KILL_BURST = 160;
const IN_FLIGHT = 16;
/** Replica 1 may be killed from this many responses on, as soon as it is pushing the server. */
const ARM_AFTER_RESPONSES = 20;
/** If replica 1 has not pushed by this many requests sent, it is killed anyway (still mid-burst). */
const KILL_BY_REQUEST = 120;

interface PushSpan {
  replica: string;
  generation: number;
  start: number;
  end: number;
}

/**
 * Every finished push of `serverId` a replica logged: the reconciler logs one `apply done` (or
 * `apply failed`) line per push, at its end, with its duration; the span is [end − duration, end].
 */
function pushSpans(replica: string, proc: ApiProcess, serverId: number): PushSpan[] {
  const spans: PushSpan[] = [];
  for (const text of proc.output().split('\n')) {
    if (!text.startsWith('{')) continue;
    let line: { msg?: string; serverId?: number; generation?: number; durationMs?: number; time?: string };
    try {
      line = JSON.parse(text);
    } catch {
      continue;
    }
    if ((line.msg !== 'apply done' && line.msg !== 'apply failed') || line.serverId !== serverId) continue;
    const end = Date.parse(line.time ?? '');
    if (!Number.isFinite(end) || typeof line.durationMs !== 'number') throw new Error(`a push line without time or duration: ${text}`);
    spans.push({ replica, generation: line.generation ?? -1, start: end - line.durationMs, end });
  }
  return spans;
}

/**
 * Follows a replica's log as it arrives: is a push of `serverId` running in it right now? The
 * reconciler logs `apply start` (debug) before it contacts the node and `apply done`/`apply failed`
 * after; the replica watched runs with LOG_LEVEL=debug.
 */
class PushWatch {
  private seenChunks = 0;
  private partial = '';
  private open = 0;
  starts = 0;

  constructor(
    private readonly proc: ApiProcess,
    private readonly serverId: number,
  ) {}

  pushing(): boolean {
    const chunks = this.proc.stdout;
    for (; this.seenChunks < chunks.length; this.seenChunks++) {
      const lines = (this.partial + chunks[this.seenChunks]).split('\n');
      this.partial = lines.pop() ?? '';
      for (const text of lines) {
        if (!text.startsWith('{') || !text.includes('"serverId"')) continue;
        const { msg, serverId } = JSON.parse(text) as { msg?: string; serverId?: number };
        if (serverId !== this.serverId) continue;
        if (msg === 'apply start') {
          this.open += 1;
          this.starts += 1;
        } else if ((msg === 'apply done' || msg === 'apply failed') && this.open > 0) this.open -= 1;
      }
    }
    return this.open > 0;
  }
}

/** Pairs of pushes that overlap in time. Durations are rounded to the millisecond: 1 ms of slack. */
function overlapping(spans: PushSpan[]): Array<[PushSpan, PushSpan]> {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const overlaps: Array<[PushSpan, PushSpan]> = [];
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const next = sorted[i]!;
    if (next.start < previous.end - 1) overlaps.push([previous, next]);
  }
  return overlaps;
}

describe('lab: two API replicas on one PostgreSQL and one Redis', () => {
  const timings: Record<string, number> = {};
  let lab: Lab | undefined;
  let node: LabNode;
  let redis: RedisServer | undefined;
  let api: LabApi | undefined;
  /** Replica 2: reconciler on, like replica 1 (LabApi's process). */
  let second: LabReplica;
  let customer: { id: number; key: string };
  let serverId: number;
  let assignmentId: number;
  const created: string[] = [];
  let killOutcomes: CreateOutcome[] = [];

  const admin = () => api!.as(api!.adminKey);
  const nodeOut = (argv: string[]) => nodeOutput((a) => node.exec(a), 'the node', argv);
  const nodePeers = async () => parseWgDump(await nodeOut(['wg', 'show', IFNAME, 'dump'])).peers.map((p) => p.publicKey);
  const allSpans = () => [...pushSpans('replica 1', api!.current, serverId), ...pushSpans('replica 2', second.process, serverId)];

  /** Every user of the assignment as Postgres holds them, page by page through `client`. */
  async function usersInPostgres(client: ApiClient): Promise<Array<{ public_key: string; provisioning: { state: string } }>> {
    const users: Array<{ public_key: string; provisioning: { state: string } }> = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
      const res = await client.get(`/api/wg/servers/${assignmentId}/users${query}`).expect(200);
      users.push(...res.body.users);
      cursor = res.body.next_cursor;
      if (!cursor) return users;
    }
    throw new Error('more than 20 pages of users');
  }

  /** Waits until the server is in sync and every user is active, reading through `client`'s replica. */
  async function converged(client: ApiClient, adminClient: ApiClient, timeoutMs: number): Promise<void> {
    await waitFor(
      'the server in sync and every user active',
      async () => {
        if ((await serverSync(adminClient, serverId)).state !== 'in_sync') return null;
        return (await usersInPostgres(client)).every((u) => u.provisioning.state === 'active');
      },
      timeoutMs,
      250,
    );
  }

  beforeAll(async () => {
    lab = await Lab.create({ nodes: 1, clientsPerNode: 0, internet: false });
    node = lab.nodes[0]!;
    redis = await startRedis();
    let started = Date.now();
    // Replica 1 logs at debug: the kill below watches for its `apply start` lines.
    api = await LabApi.start({ reconcileIntervalMs: 5_000, pollIntervalMs: 5_000, env: { REDIS_URL: redis.url, LOG_LEVEL: 'debug' } });
    timings.replica1StartAndBootstrapAdmin = Date.now() - started;
    started = Date.now();
    second = await api.startReplica({ LOG_LEVEL: 'info' });
    timings.replica2Start = Date.now() - started;
    customer = await createCustomer(admin(), `replicas-${lab.id}`);
  });

  afterAll(async () => {
    if (Object.keys(timings).length > 0) console.log(`replicas lab timings, ms: ${JSON.stringify(timings)}`);
    try {
      await api?.destroy();
    } finally {
      try {
        await lab?.destroy();
      } finally {
        await redis?.stop();
      }
    }
  });

  describe('two replicas started with the contract limit (60/min), API only', () => {
    let strict: [LabReplica, LabReplica];

    beforeAll(async () => {
      const env = { RATE_LIMIT_PER_MINUTE: String(CONTRACT_LIMIT), RECONCILER_ENABLED: 'false', LOG_LEVEL: 'info' };
      strict = [await api!.startReplica(env), await api!.startReplica(env)];
    });

    afterAll(async () => {
      for (const replica of strict ?? []) await replica.process.stop('SIGTERM');
    });

    it('hold 60 requests per minute per key together: requests alternated over both, exactly 60 pass, the 61st is a 429 with Retry-After', async () => {
      const { key } = await createCustomer(admin(), `replicas-limit-${lab!.id}`);
      const responses = [];
      for (let i = 0; i < CONTRACT_LIMIT + 10; i++) responses.push(await strict[i % 2]!.as(key).get('/api/wg/api-keys'));
      const statuses = responses.map((res) => res.status);
      expect(statuses.slice(0, CONTRACT_LIMIT)).toEqual(Array(CONTRACT_LIMIT).fill(200));
      expect(statuses.slice(CONTRACT_LIMIT)).toEqual(Array(10).fill(429));
      const retryAfter = Number(responses[CONTRACT_LIMIT]!.headers['retry-after']);
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
      expect(responses[CONTRACT_LIMIT]!.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('stop a revoked key on the revoking replica at once and on the other within 5 s', async () => {
      const owner = await createCustomer(admin(), `replicas-revoke-${lab!.id}`);
      const [revoking, other] = strict;
      const doomed = await revoking.as(owner.key).post('/api/wg/api-keys', { name: 'doomed' });
      expect(doomed.status).toBe(201);
      // The other replica has seen (and cached) the key.
      await other.as(doomed.body.key).get('/api/wg/api-keys').expect(200);
      const revokedAt = Date.now();
      await revoking.as(owner.key).del(`/api/wg/api-keys/${doomed.body.id}`).expect(200);
      await revoking.as(doomed.body.key).get('/api/wg/api-keys').expect(401);
      const rejectedAt = await waitFor(
        'the revoked key refused by the other replica',
        async () => (await other.as(doomed.body.key).get('/api/wg/api-keys')).status === 401 && Date.now(),
        6_000,
        100,
      );
      timings.revocationReachedOtherReplica = rejectedAt - revokedAt;
      expect(rejectedAt - revokedAt).toBeLessThanOrEqual(5_000);
    });
  });

  it('setup: one SSH node, one server assigned to a customer; the server in sync', async () => {
    ({ serverId, assignmentId } = await labServerFor(admin(), lab!.id, node, {
      purpose: 'replicas',
      customerId: customer.id,
      maxUsers: BURST + KILL_BURST,
      interfaceName: IFNAME,
      listenPort: LISTEN_PORT,
    }));
    expect(await nodePeers()).toEqual([]);
  });

  it(`a burst of ${BURST} creates spread over both replicas: every user active, the node holds exactly them, one push at a time`, async () => {
    const urls = [api!.url, second.url].map((base) => `${base}/api/wg/servers/${assignmentId}/users`);
    const started = Date.now();
    const outcomes = await fireCreates({
      url: (index) => urls[index % 2]!,
      key: customer.key,
      count: BURST,
      inFlight: IN_FLIGHT,
      clientName: (i) => `spread-${i}`,
      afterResponses: BURST + 1, // never: the whole burst is sent
      onThreshold: () => undefined,
    });
    expect(outcomes.map((o) => o.status)).toEqual(Array(BURST).fill(201));
    created.push(...outcomes.map((o) => o.publicKey!));
    await converged(second.as(customer.key), second.as(api!.adminKey), 60_000);
    timings.spreadBurstToConverged = Date.now() - started;

    const onNode = await nodePeers();
    expect(new Set(onNode).size).toBe(onNode.length);
    expect([...onNode].sort()).toEqual([...created].sort());
    expect((await usersInPostgres(api!.as(customer.key))).map((u) => u.public_key).sort()).toEqual([...created].sort());

    const spans = allSpans();
    const byReplica = { one: spans.filter((s) => s.replica === 'replica 1').length, two: spans.filter((s) => s.replica === 'replica 2').length };
    console.log(`replicas: ${spans.length} pushes of the server so far (replica 1: ${byReplica.one}, replica 2: ${byReplica.two})`);
    expect(spans.length).toBeGreaterThan(0);
    expect(overlapping(spans)).toEqual([]);
  });

  it(`kill -9 of replica 1 while it pushes the server, in a burst of ${KILL_BURST} creates spread over both: replica 2 converges, nothing is lost`, async () => {
    const urls = [api!.url, second.url].map((base) => `${base}/api/wg/servers/${assignmentId}/users`);
    const victim = api!.current;
    const watch = new PushWatch(victim, serverId);
    watch.pushing(); // past pushes are not this burst's
    const startsBefore = watch.starts;
    let armed = false;
    let sent = 0;
    let killedAtRequest: number | null = null;
    let killedMidPush = false;
    const kill = (midPush: boolean) => {
      if (killedAtRequest !== null) return;
      killedAtRequest = sent;
      killedMidPush = midPush;
      process.kill(victim.pid, 'SIGKILL');
    };
    // Every millisecond: once armed, the first moment replica 1 is inside a push of the server.
    const watcher = setInterval(() => {
      if (killedAtRequest !== null) return;
      if (armed && watch.pushing()) kill(true);
      else if (sent >= KILL_BY_REQUEST) kill(false);
    }, 1);
    const started = Date.now();
    try {
      killOutcomes = await fireCreates({
        url: (index) => urls[index % 2]!,
        key: customer.key,
        count: KILL_BURST,
        inFlight: IN_FLIGHT,
        clientName: (i) => {
          sent = i + 1;
          return `killed-${i}`;
        },
        afterResponses: ARM_AFTER_RESPONSES,
        onThreshold: () => {
          armed = true;
        },
        // The burst goes on: after the kill, replica 2 keeps taking creates and replica 1's share is refused.
        stopAtThreshold: false,
      });
    } finally {
      clearInterval(watcher);
    }
    await victim.exit(10_000);
    timings.burst = Date.now() - started;

    const got201 = killOutcomes.filter((o) => o.status === 201);
    const otherStatuses = killOutcomes.filter((o) => o.status !== null && o.status !== 201);
    const cut = killOutcomes.filter((o) => o.status === null);
    console.log(
      `replicas: replica 1 killed ${killedMidPush ? 'inside a push of the server' : 'between pushes (it started none in time)'} at request ${killedAtRequest} ` +
        `(${watch.starts - startsBefore} pushes started by it in this burst); ${killOutcomes.length} sent, ${got201.length} got 201, ` +
        `${otherStatuses.length} other statuses, ${cut.length} cut or refused; peers on the node after the burst: ${(await nodePeers()).length}`,
    );
    expect(killedAtRequest).not.toBeNull();
    expect(killedAtRequest!).toBeLessThan(KILL_BURST);
    expect(otherStatuses.map((o) => `${o.index}: ${o.status}`)).toEqual([]);
    expect(cut.length).toBeGreaterThan(0);
    // Replica 2 kept answering after the kill.
    expect(got201.filter((o) => o.index >= killedAtRequest! && o.index % 2 === 1).length).toBeGreaterThan(0);

    // Only replica 2 is left, and only GETs from here on: its own reconciler must finish the work.
    const converging = Date.now();
    await converged(second.as(customer.key), second.as(api!.adminKey), 60_000);
    timings.killToConverged = Date.now() - converging;

    const users = await usersInPostgres(second.as(customer.key));
    const inPostgres = new Set(users.map((u) => u.public_key));
    const onNode = await nodePeers();
    const every201 = [...created, ...got201.map((o) => o.publicKey!)];
    expect(every201.filter((key) => !onNode.includes(key))).toEqual([]);
    expect(onNode.filter((key) => !inPostgres.has(key))).toEqual([]);
    expect([...inPostgres].filter((key) => !onNode.includes(key))).toEqual([]);
    expect(new Set(onNode).size).toBe(onNode.length);
    // Postgres holds no more than was asked for: a cut request may have committed, nothing else.
    expect(users.length).toBeGreaterThanOrEqual(every201.length);
    expect(users.length).toBeLessThanOrEqual(created.length + killOutcomes.length);
    expect(overlapping(allSpans())).toEqual([]);
  });

  it('leaves nothing behind: replica 2 stops cleanly, the orphaned PostgreSQL (by its pid), the DATA_DIRs, the lab, Redis', async () => {
    expect(await second.process.stop('SIGTERM')).toBe(0);
    expect(await api!.destroy()).toEqual([]);
    expect(api!.isPostgresAlive()).toBe(false);
    expect(existsSync(api!.dataDir)).toBe(false);
    await lab!.destroy();
    expect(await lab!.leftovers()).toEqual([]);
    await redis!.stop();
  });
});
