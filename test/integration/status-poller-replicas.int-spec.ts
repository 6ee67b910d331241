import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { createLogger, loadConfig, PinoNestLogger } from '@wgfleet/core';
import { FakeNodeDriver, StatusPoller, type NodeTarget } from '@wgfleet/node-sync';
import { PeerTelemetry } from '@wgfleet/peers';
import { AppModule } from '../../apps/api/src/app.module.js';
import { migratedDatabaseUrl } from '../setup/test-database.js';
import { makeServer } from '../support/fleet-factory.js';
import { TEST_MASTER_KEY } from '../support/test-app.js';

/**
 * Two replicas' status pollers on the run's real Postgres, each with a fake node of its own that
 * counts the dumps it answers: a server is dumped by one replica per interval, however the two
 * passes interleave, and another replica takes a server over once its owner stops polling.
 * Parallel test files share the database, so both replicas are scoped to this file's servers.
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

async function startReplica(driver: CountingDriver): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      AppModule.forRoot({
        config: loadConfig({ LOG_LEVEL: 'silent' }),
        databaseUrl: await migratedDatabaseUrl(),
        masterKey: TEST_MASTER_KEY,
        nodeDriver: driver,
        // The timers stay quiet (the test calls pollAll() as the timer would); one interval is a minute.
        reconciler: { intervalMs: 60_000, pollIntervalMs: 60_000, scope: (serverId) => ours.has(serverId) },
      }),
    ],
  })
    .setLogger(new PinoNestLogger(createLogger('silent')))
    .compile();
  await moduleRef.init();
  return moduleRef;
}

jest.setTimeout(30_000);

describe('the status poller across two replicas on one database', () => {
  const driverA = new CountingDriver();
  const driverB = new CountingDriver();
  let a: TestingModule;
  let b: TestingModule | null = null;
  let db: DataSource;
  const servers: Array<{ serverId: number; nodeId: number }> = [];

  const dumpsOf = (nodeId: number) => ({ a: driverA.dumps.get(nodeId) ?? 0, b: driverB.dumps.get(nodeId) ?? 0 });
  /** One interval: both replicas' timers fire, in whichever order the event loop runs them. */
  const bothPass = () => Promise.all([a.get(StatusPoller).pollAll(), b!.get(StatusPoller).pollAll()]);
  const ids = () => servers.map((s) => s.serverId);

  beforeAll(async () => {
    [a, b] = await Promise.all([startReplica(driverA), startReplica(driverB)]);
    db = a.get(DataSource);
    for (let i = 0; i < 6; i++) {
      const server = await makeServer(a as unknown as NestFastifyApplication, { ipv4Subnet: `10.77.${i}.0/24` });
      ours.add(server.serverId);
      servers.push(server);
    }
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('dumps each server once per interval, always from the same replica, over three intervals', async () => {
    for (let interval = 1; interval <= 3; interval++) {
      await bothPass();
      for (const { nodeId } of servers) {
        const { a: byA, b: byB } = dumpsOf(nodeId);
        expect({ nodeId, total: byA + byB, oneReplica: byA === 0 || byB === 0 }).toEqual({ nodeId, total: interval, oneReplica: true });
      }
    }
    // Each pass recorded what it saw (a fake node without the interface reads as down).
    for (const { serverId } of servers) expect((await a.get(PeerTelemetry).interfaceOf(serverId)).interface).toBe('down');
    const claims: Array<{ n: string }> = await db.query('SELECT count(DISTINCT server_id) AS n FROM server_poll_claim WHERE server_id = ANY($1)', [ids()]);
    expect(Number(claims[0]!.n)).toBe(servers.length);
  });

  it('hands the servers of a replica that stopped polling (killed) to the other once their claims lapse, and only then', async () => {
    // Let A own everything: B's pass finds nothing free.
    await db.query('DELETE FROM server_poll_claim WHERE server_id = ANY($1)', [ids()]);
    await a.get(StatusPoller).pollAll();
    const before = servers.map(({ nodeId }) => dumpsOf(nodeId));
    await b!.get(StatusPoller).pollAll();
    expect(servers.map(({ nodeId }) => dumpsOf(nodeId))).toEqual(before.map((d) => ({ a: d.a, b: d.b })));

    // A is "killed": it polls no more, and its claims run out (the time passing, written directly).
    await db.query(`UPDATE server_poll_claim SET claimed_until = now() - interval '1 second' WHERE server_id = ANY($1)`, [ids()]);
    await b!.get(StatusPoller).pollAll();
    expect(servers.map(({ nodeId }) => dumpsOf(nodeId))).toEqual(before.map((d) => ({ a: d.a, b: d.b + 1 })));

    // A comes back within B's claim: B owns the servers now, A dumps none.
    await a.get(StatusPoller).pollAll();
    expect(servers.map(({ nodeId }) => dumpsOf(nodeId))).toEqual(before.map((d) => ({ a: d.a, b: d.b + 1 })));
  });

  it("gives a stopped replica's servers to the other at its next pass: a clean stop releases the claims", async () => {
    const before = servers.map(({ nodeId }) => dumpsOf(nodeId));
    await b!.close();
    b = null;
    await a.get(StatusPoller).pollAll();
    expect(servers.map(({ nodeId }) => dumpsOf(nodeId))).toEqual(before.map((d) => ({ a: d.a + 1, b: d.b })));
  });
});
