import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import type { Principal } from '@wgfleet/core';
import { FakeNodeDriver, PlanSweeper, StatusPoller, type ReconcilerOptions } from '@wgfleet/node-sync';
import { PeersService, PlanClock, PlanEnforcer, PlanUsage, UserEntity } from '@wgfleet/peers';
import { FleetAccess } from '@wgfleet/servers';
import type { CreateUserDto } from '../../libs/peers/src/peers.dto.js';
import { nextMonthlyPeriodStart } from '../../libs/peers/src/plans/usage-period.js';
import { assign, makeServer, type TestServer } from '../support/fleet-factory.js';
import { startReconcilerApp } from '../support/reconciler-app.js';
import { makeAccount } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Service plans enforced on a (fake) node by the real reconciler, poller and enforcer on the run's
 * Postgres: a blocked user's peer leaves the node and comes back, a throttled one is shaped, expiries
 * and new monthly periods act by themselves. Only our ports are faked: the node driver and the clock.
 */

/** Real time plus an offset the test moves: the timers keep running, the enforcer's "now" jumps. */
class MovableClock extends PlanClock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

const MB = 1_000_000;
const ours = new Set<number>();
const OPTIONS: Partial<ReconcilerOptions> = {
  intervalMs: 60_000,
  pollIntervalMs: 60_000, // the tests poll by hand (pollAll)
  backoff: { initialMs: 50, maxMs: 200 },
  busyRetryMs: 50,
  minPushGapMs: 100,
  maxPushGapMs: 200,
  scope: (serverId) => ours.has(serverId),
};

jest.setTimeout(30_000);

describe('plan enforcement', () => {
  const driver = new FakeNodeDriver();
  const clock = new MovableClock();
  let app: TestingModule;
  let db: DataSource;

  beforeAll(async () => {
    app = await startReconcilerApp(driver, OPTIONS, (builder) => builder.overrideProvider(PlanClock).useValue(clock));
    db = app.get(DataSource);
  });
  afterAll(async () => {
    await app?.close();
  });

  /** A server of ours (fresh node) with a customer on it, and `names` users created through PeersService. */
  async function setUp(names: string[], scoped = true) {
    const asApp = app as unknown as NestFastifyApplication;
    const server = await makeServer(asApp, { ipv4Subnet: '10.30.0.0/24' });
    if (scoped) ours.add(server.serverId);
    const account = await makeAccount(asApp, 'customer');
    const assignmentId = await assign(asApp, server.serverId, account.id);
    const principal: Principal = { accountId: account.id, kind: 'customer', parentId: null, apiKeyId: account.keyId, sourceIp: '127.0.0.1' };
    const context = await app.get(FleetAccess).resolveAssignment(principal, assignmentId);
    const users: UserEntity[] = [];
    for (const name of names) users.push((await app.get(PeersService).create(principal, context, { client_name: name } as CreateUserDto)).user);
    return { server, users };
  }

  /** Writes plan columns as the API's writes do (the server bumped and locked first), then re-decides in the same transaction. */
  async function setPlan(user: UserEntity, columns: Partial<UserEntity>): Promise<number[]> {
    return db.transaction(async (manager) => {
      await app.get(FleetAccess).bumpGeneration(manager, user.serverId);
      await manager.update(UserEntity, { id: user.id }, columns);
      return app.get(PlanEnforcer).reevaluate(manager, [user.id]);
    });
  }

  const BLOCK = (bytes: number): Partial<UserEntity> => ({ dataLimitBytes: bytes, dataLimitPeriod: 'total', dataLimitResetDay: null, dataLimitAction: 'block', dataLimitThrottleMbps: null });
  const NO_LIMIT: Partial<UserEntity> = { dataLimitBytes: null, dataLimitPeriod: null, dataLimitResetDay: null, dataLimitAction: null, dataLimitThrottleMbps: null };

  const keysOn = (server: TestServer) => driver.peerKeysOn(server.nodeId, 'wg0');
  const shapingOn = (server: TestServer) => driver.nodeState.get(FakeNodeDriver.key(server.nodeId, 'wg0'))?.shaping.batch ?? '';
  const row = async (user: UserEntity) =>
    (await db.query('SELECT access_state, access_reason, state FROM wg_user WHERE id = $1', [user.id]))[0] as { access_state: string; access_reason: string | null; state: string };
  const generation = async (server: TestServer) => Number((await db.query('SELECT desired_generation FROM server WHERE id = $1', [server.serverId]))[0].desired_generation);

  async function waitForKeys(server: TestServer, expected: string[]): Promise<void> {
    const want = [...expected].sort();
    await waitFor(`the node to hold ${want.length} peer(s)`, () => JSON.stringify([...keysOn(server)].sort()) === JSON.stringify(want));
  }

  /** The node's counters for a user (its next dump reports them), then one poll of every server in scope. */
  async function trafficThenPoll(traffic: Array<[UserEntity, number, number]>): Promise<void> {
    for (const [user, rx, tx] of traffic) driver.traffic.set(user.publicKey, { rx, tx, handshakeAt: Math.floor(Date.now() / 1000), endpoint: '198.18.0.9:51000' });
    await app.get(StatusPoller).pollAll();
  }

  async function usageOf(user: UserEntity) {
    const fresh = await db.getRepository(UserEntity).findOneByOrFail({ id: user.id });
    return (await app.get(PlanUsage).usageOf(db.manager, [fresh], clock.now())).get(user.id)!;
  }

  it('takes a user over its block limit off the node after one poll, and puts it back when the limit is raised or removed', async () => {
    const { server, users: [heavy, light] } = await setUp(['heavy', 'light']);
    await setPlan(heavy, BLOCK(5 * MB));
    await waitForKeys(server, [heavy.publicKey, light.publicKey]);

    await trafficThenPoll([[heavy, 2 * MB, 2 * MB], [light, 9 * MB, 9 * MB]]);
    expect(await row(heavy)).toMatchObject({ access_state: 'allowed', access_reason: null });

    await trafficThenPoll([[heavy, 3 * MB, 2 * MB], [light, 9 * MB, 9 * MB]]);
    expect(await row(heavy)).toMatchObject({ access_state: 'blocked', access_reason: 'data_limit_reached' });
    await waitForKeys(server, [light.publicKey]);
    // Off the node on purpose is settled, not pending for ever; the row, keys and address stay.
    await waitFor('the blocked user settled', async () => (await row(heavy)).state === 'active');
    expect(await db.getRepository(UserEntity).findOneByOrFail({ id: heavy.id })).toMatchObject({ publicKey: heavy.publicKey, ipv4: heavy.ipv4 });

    expect(await setPlan(heavy, BLOCK(50 * MB))).toEqual([heavy.id]);
    await waitForKeys(server, [heavy.publicKey, light.publicKey]);

    await setPlan(heavy, BLOCK(5 * MB));
    await waitForKeys(server, [light.publicKey]);
    expect(await setPlan(heavy, NO_LIMIT)).toEqual([heavy.id]);
    await waitForKeys(server, [heavy.publicKey, light.publicKey]);
    expect(await row(heavy)).toMatchObject({ access_state: 'allowed', access_reason: null });
  });

  it('keeps a throttled user on the node, shaped to the throttle rate (the slower of plan and throttle per direction)', async () => {
    const { server, users: [user] } = await setUp(['streamer']);
    await setPlan(user, {
      downloadMbps: 8,
      uploadMbps: null,
      dataLimitBytes: 2 * MB,
      dataLimitPeriod: 'total',
      dataLimitAction: 'throttle',
      dataLimitThrottleMbps: 1.5,
    });
    await waitFor('the plan rate pushed', () => shapingOn(server).includes('classid 1:2 htb rate 8000kbit'));
    expect(shapingOn(server)).not.toContain('ifb-wg0 parent 1: classid 1:2');

    await trafficThenPoll([[user, 1 * MB, 1.5 * MB]]);
    expect(await row(user)).toMatchObject({ access_state: 'throttled', access_reason: 'data_limit_reached' });
    await waitFor('the throttle pushed', () => shapingOn(server).includes('class add dev wg0 parent 1: classid 1:2 htb rate 1500kbit'));
    expect(shapingOn(server)).toContain('class add dev ifb-wg0 parent 1: classid 1:2 htb rate 1500kbit');
    expect(keysOn(server)).toEqual([user.publicKey]);

    // The throttle above the plan leaves the plan's download rate; the unlimited upload gets the throttle.
    await setPlan(user, { dataLimitThrottleMbps: 20 });
    await waitFor('the combined rates pushed', () => shapingOn(server).includes('class add dev ifb-wg0 parent 1: classid 1:2 htb rate 20000kbit'));
    expect(shapingOn(server)).toContain('class add dev wg0 parent 1: classid 1:2 htb rate 8000kbit');
  });

  it('keeps disabled and expired users off the node, and brings them back when enabled or extended', async () => {
    const { server, users: [off, ended, stays] } = await setUp(['off', 'ended', 'stays']);
    await waitForKeys(server, [off.publicKey, ended.publicKey, stays.publicKey]);
    expect(await setPlan(off, { enabled: false })).toEqual([off.id]);
    expect(await setPlan(ended, { expiresAt: new Date(clock.now().getTime() - 1000) })).toEqual([ended.id]);
    expect(await row(off)).toMatchObject({ access_state: 'blocked', access_reason: 'disabled' });
    expect(await row(ended)).toMatchObject({ access_state: 'blocked', access_reason: 'expired' });
    await waitForKeys(server, [stays.publicKey]);

    // Switched off beats expired; enabling it again leaves it expired until its end date moves.
    await setPlan(ended, { enabled: false });
    expect(await row(ended)).toMatchObject({ access_reason: 'disabled' });
    await setPlan(ended, { enabled: true });
    expect(await row(ended)).toMatchObject({ access_state: 'blocked', access_reason: 'expired' });

    await setPlan(off, { enabled: true });
    await setPlan(ended, { expiresAt: new Date(clock.now().getTime() + 86_400_000) });
    await waitForKeys(server, [off.publicKey, ended.publicKey, stays.publicKey]);
  });

  it('enforces an end date within 5 s of it, by the sweep alone (nobody writes the user then)', async () => {
    const { server, users: [user, other] } = await setUp(['trial', 'other']);
    await waitForKeys(server, [user.publicKey, other.publicKey]);
    const expiresAt = new Date(clock.now().getTime() + 1500);
    // Straight to the table: no reevaluate, only the timer can see the end date come.
    await db.query('UPDATE wg_user SET expires_at = $2 WHERE id = $1', [user.id, expiresAt]);
    await waitForKeys(server, [other.publicKey]);
    const lateMs = clock.now().getTime() - expiresAt.getTime();
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(5000);
    expect(await row(user)).toMatchObject({ access_state: 'blocked', access_reason: 'expired' });
  });

  it('counts usage across an interface restart (the node counters fall back to zero)', async () => {
    const { server, users: [user] } = await setUp(['restarts']);
    await setPlan(user, BLOCK(10 * MB));
    await waitForKeys(server, [user.publicKey]);
    await trafficThenPoll([[user, 3 * MB, 1 * MB]]);
    await trafficThenPoll([[user, 1 * MB, 0]]); // the interface restarted: 1 MB more, not 4 MB less
    expect(await usageOf(user)).toMatchObject({ rxBytes: 4 * MB, txBytes: 1 * MB, totalBytes: 5 * MB });
    expect(await row(user)).toMatchObject({ access_state: 'allowed' });

    await trafficThenPoll([[user, 5 * MB, 1 * MB]]);
    expect(await usageOf(user)).toMatchObject({ totalBytes: 10 * MB });
    expect(await row(user)).toMatchObject({ access_state: 'blocked', access_reason: 'data_limit_reached' });
    await waitForKeys(server, []);
  });

  it('changes each user and bumps each server once when two replicas sweep the same expiries at once', async () => {
    // Not in this app's scope: only the two sweeps below act on it.
    const { server, users } = await setUp(['r1', 'r2', 'r3'], false);
    const other = await startReconcilerApp(new FakeNodeDriver(), { ...OPTIONS, enabled: false }, (builder) => builder.overrideProvider(PlanClock).useValue(clock));
    try {
      await db.query('UPDATE wg_user SET expires_at = $2 WHERE id = ANY($1::bigint[])', [users.map((user) => user.id), new Date(clock.now().getTime() - 1000)]);
      const before = await generation(server);
      const onlyThis = (serverId: number) => serverId === server.serverId;
      const [mine, theirs] = await Promise.all([app.get(PlanEnforcer).sweep(onlyThis), other.get(PlanEnforcer).sweep(onlyThis)]);
      expect([...mine, ...theirs].sort((a, b) => a - b)).toEqual(users.map((user) => user.id));
      expect(await generation(server)).toBe(before + 1);
      expect(await app.get(PlanEnforcer).sweep(onlyThis)).toEqual([]);
      expect(await generation(server)).toBe(before + 1);
    } finally {
      await other.close();
    }
  });

  it('stops sweeping when its app closes (module destroy ends the timer)', async () => {
    const theirs = new Set<number>();
    const replica = await startReconcilerApp(new FakeNodeDriver(), { ...OPTIONS, scope: (serverId) => theirs.has(serverId) });
    const { users: [user] } = await setUp(['after-close'], false);
    theirs.add(user.serverId);
    const past = () => new Date(clock.now().getTime() - 1000);
    await db.query('UPDATE wg_user SET expires_at = $2 WHERE id = $1', [user.id, past()]);
    // While it runs, its sweep enforces the end date on its server...
    await waitFor('the replica’s sweep', async () => (await row(user)).access_reason === 'expired');
    await replica.close();
    // ...once closed, nothing does (this app's sweep leaves that server alone).
    await db.query(`UPDATE wg_user SET access_state = 'allowed', access_reason = NULL, expires_at = $2 WHERE id = $1`, [user.id, past()]);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await row(user)).toMatchObject({ access_state: 'allowed', access_reason: null });
  });

  it('never deadlocks with a writer that locked the user before its server: the sweep skips that user, the writer decides it', async () => {
    const { users: [user] } = await setUp(['busy'], false);
    const onlyThis = (serverId: number) => serverId === user.serverId;
    await db.query('UPDATE wg_user SET expires_at = $2 WHERE id = $1', [user.id, new Date(clock.now().getTime() - 1000)]);
    const writer = db.createQueryRunner();
    await writer.connect();
    try {
      await writer.startTransaction();
      await writer.manager.update(UserEntity, { id: user.id }, { enabled: false }); // the user's row lock, before any server lock
      const sweeping = app.get(PlanEnforcer).sweep(onlyThis);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Now the writer wants the server: a sweep waiting on the user while holding the server would deadlock here.
      const writing = app.get(PlanEnforcer).reevaluate(writer.manager, [user.id]).then(async (ids) => {
        await writer.commitTransaction();
        return ids;
      });
      expect(await Promise.all([sweeping, writing])).toEqual([[], [user.id]]);
    } finally {
      if (writer.isTransactionActive) await writer.rollbackTransaction();
      await writer.release();
    }
    expect(await row(user)).toMatchObject({ access_state: 'blocked', access_reason: 'disabled' });
  });

  // Last: it moves the enforcer's clock a month ahead.
  it('restores access at a new monthly period by itself and counts usage from the period start', async () => {
    const { server, users: [user] } = await setUp(['monthly']);
    const resetDay = 7;
    await setPlan(user, { dataLimitBytes: 5 * MB, dataLimitPeriod: 'monthly', dataLimitResetDay: resetDay, dataLimitAction: 'block', dataLimitThrottleMbps: null });
    await waitForKeys(server, [user.publicKey]);
    await trafficThenPoll([[user, 4 * MB, 2 * MB]]);
    expect(await row(user)).toMatchObject({ access_state: 'blocked', access_reason: 'data_limit_reached' });
    await waitForKeys(server, []);

    const boundary = nextMonthlyPeriodStart(resetDay, clock.now());
    clock.offsetMs += boundary.getTime() - clock.now().getTime() + 500;
    // The sweep sees the new period (no write, no poll): a new baseline, access back, the peer on the node.
    await waitForKeys(server, [user.publicKey]);
    expect(await row(user)).toMatchObject({ access_state: 'allowed', access_reason: null });
    expect(await usageOf(user)).toEqual({ periodStart: boundary, rxBytes: 0, txBytes: 0, totalBytes: 0 });

    // The node's counters go on from 4 + 2 MB: only what comes after counts in this period.
    await trafficThenPoll([[user, 5 * MB, 3 * MB]]);
    expect(await usageOf(user)).toMatchObject({ periodStart: boundary, rxBytes: 1 * MB, txBytes: 1 * MB, totalBytes: 2 * MB });
    expect(await row(user)).toMatchObject({ access_state: 'allowed' });
    expect(await app.get(PlanSweeper).runOnce()).toEqual([]);
  });
});
