import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { FakeNodeDriver, PollClaims, StatusPoller, type NodeTarget } from '@wgfleet/node-sync';
import { rendezvousOwner } from '../../libs/node-sync/src/rendezvous.js';
import { PeerTelemetry } from '@wgfleet/peers';
import { makeServer } from '../support/fleet-factory.js';
import { startReconcilerApp } from '../support/reconciler-app.js';

/**
 * Two replicas' status pollers on the run's real Postgres, each with a fake node of its own that
 * counts the dumps it answers: the two split the servers (each polls its rendezvous share), a server
 * is dumped by one replica per interval however the two passes interleave, and when one stops —
 * killed, or cleanly — the other takes all of them. Parallel test files share the database, so both
 * replicas are scoped to this file's servers and share a poll group of their own.
 */

/** A fake node that counts `wg show IF dump` per node (one server per node here). */
class CountingDriver extends FakeNodeDriver {
  readonly dumps = new Map<number, number>();

  override async dump(target: NodeTarget, interfaceName: string): Promise<string> {
    this.dumps.set(target.nodeId, (this.dumps.get(target.nodeId) ?? 0) + 1);
    return super.dump(target, interfaceName);
  }
}

const ours = new Set<number>();
const POLL_GROUP = `status-poller-replicas-${process.pid}-${Date.now()}`;
const SERVERS = 16;

function startReplica(driver: CountingDriver): Promise<TestingModule> {
  // The timers stay quiet (the test calls pollAll() as the timer would); one interval is a minute.
  return startReconcilerApp(driver, { intervalMs: 60_000, pollIntervalMs: 60_000, pollGroup: POLL_GROUP, scope: (serverId) => ours.has(serverId) });
}

jest.setTimeout(30_000);

describe('the status poller across two replicas on one database', () => {
  const driverA = new CountingDriver();
  const driverB = new CountingDriver();
  let a: TestingModule;
  let b: TestingModule | null = null;
  let db: DataSource;
  const servers: Array<{ serverId: number; nodeId: number }> = [];

  const ids = () => servers.map((s) => s.serverId);
  const replicaOf = (moduleRef: TestingModule) => moduleRef.get(PollClaims).replica;

  /** Runs `passes` and returns, per server, how many dumps each replica made meanwhile. */
  async function dumpsDuring(passes: () => Promise<unknown>): Promise<Array<{ serverId: number; a: number; b: number }>> {
    const before = servers.map(({ nodeId }) => ({ a: driverA.dumps.get(nodeId) ?? 0, b: driverB.dumps.get(nodeId) ?? 0 }));
    await passes();
    return servers.map(({ serverId, nodeId }, i) => ({ serverId, a: (driverA.dumps.get(nodeId) ?? 0) - before[i]!.a, b: (driverB.dumps.get(nodeId) ?? 0) - before[i]!.b }));
  }
  /** One interval: both replicas' timers fire, in whichever order the event loop runs them. */
  const bothPass = () => dumpsDuring(() => Promise.all([a.get(StatusPoller).pollAll(), b!.get(StatusPoller).pollAll()]));
  const expectAtMostOnce = (interval: Array<{ a: number; b: number }>) => {
    for (const dumps of interval) expect(dumps.a + dumps.b).toBeLessThanOrEqual(1);
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([startReplica(driverA), startReplica(driverB)]);
    db = a.get(DataSource);
    for (let i = 0; i < SERVERS; i++) {
      const server = await makeServer(a as unknown as NestFastifyApplication, { ipv4Subnet: `10.77.${i}.0/24` });
      ours.add(server.serverId);
      servers.push(server);
    }
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('splits the servers: each replica polls its own share, every server once per interval, none by both', async () => {
    // The first intervals: the replicas learn of each other, and hand over what the other owns.
    for (let interval = 0; interval < 3; interval++) expectAtMostOnce(await bothPass());

    const ownerOf = (serverId: number) => rendezvousOwner(serverId, [replicaOf(a), replicaOf(b!)]);
    for (let interval = 0; interval < 3; interval++) {
      const dumps = await bothPass();
      expect(dumps).toEqual(dumps.map(({ serverId }) => (ownerOf(serverId) === replicaOf(a) ? { serverId, a: 1, b: 0 } : { serverId, a: 0, b: 1 })));
      const byA = dumps.filter((d) => d.a === 1).length;
      expect({ byA: byA > 0, byB: SERVERS - byA > 0 }).toEqual({ byA: true, byB: true });
    }
    // Each pass recorded what it saw (a fake node without the interface reads as down).
    for (const { serverId } of servers) expect((await a.get(PeerTelemetry).interfaceOf(serverId)).interface).toBe('down');
    const claims: Array<{ n: string }> = await db.query('SELECT count(DISTINCT server_id) AS n FROM server_poll_claim WHERE server_id = ANY($1)', [ids()]);
    expect(Number(claims[0]!.n)).toBe(servers.length);
  });

  it('hands a killed replica’s servers to the other once its heartbeat and claims lapse, and only then', async () => {
    // B is "killed": it polls no more. While its leases last, A keeps to its own share.
    const whileAlive = await dumpsDuring(() => a.get(StatusPoller).pollAll());
    const shareOfA = whileAlive.filter((d) => d.a === 1).length;
    expect(shareOfA).toBeGreaterThan(0);
    expect(shareOfA).toBeLessThan(SERVERS);

    // Its leases run out (the time passing, written directly).
    await db.query(`UPDATE status_poller SET alive_until = now() - interval '1 second' WHERE replica = $1`, [replicaOf(b!)]);
    await db.query(`UPDATE server_poll_claim SET claimed_until = now() - interval '1 second' WHERE claimed_by = $1`, [replicaOf(b!)]);
    const afterLapse = await dumpsDuring(() => a.get(StatusPoller).pollAll());
    expect(afterLapse.map((d) => d.a + d.b)).toEqual(servers.map(() => 1));
    expect(afterLapse.every((d) => d.a === 1)).toBe(true);

    // B comes back: the two split the servers again, one poll per server per interval throughout.
    for (let interval = 0; interval < 3; interval++) expectAtMostOnce(await bothPass());
    const again = await bothPass();
    expect(again.every((d) => d.a + d.b === 1)).toBe(true);
    expect(again.filter((d) => d.b === 1).length).toBe(SERVERS - shareOfA);
  });

  it("gives a stopped replica's servers to the other at its next pass: a clean stop releases heartbeat and claims", async () => {
    await b!.close();
    b = null;
    const next = await dumpsDuring(() => a.get(StatusPoller).pollAll());
    expect(next.every((d) => d.a === 1 && d.b === 0)).toBe(true);
  });
});
