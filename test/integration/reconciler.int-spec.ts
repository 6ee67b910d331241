import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AccountsService } from '@wgfleet/accounts';
import type { Principal } from '@wgfleet/core';
import { FakeNodeDriver, InterfaceRemover, NodeDriver, Reconciler, StatusPoller, RECONCILE_LOCK_NAMESPACE, type ReconcilerOptions } from '@wgfleet/node-sync';
import { Client } from 'pg';
import { PeersService, PeerTelemetry, type UserEntity } from '@wgfleet/peers';
import { PortForwardsService } from '@wgfleet/port-forwards';
import { FleetAccess, FleetChanges, ReconcileRequests, ServersService } from '@wgfleet/servers';
import type { CreateServerDto } from '../../libs/servers/src/servers.dto.js';
import { generateKeyPair } from '@wgfleet/wireguard';
import type { CreateUserDto } from '../../libs/peers/src/peers.dto.js';
import { migratedDatabaseUrl } from '../setup/test-database.js';
import { assign, makeServer, type TestServer } from '../support/fleet-factory.js';
import { startReconcilerApp } from '../support/reconciler-app.js';
import { makeAccount } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The reconciler against the run's real Postgres, with a fake node driver. Parallel test files
 * share the database, so each reconciler here is scoped to the servers this file creates.
 */

const ours = new Set<number>();
const FAST: Partial<ReconcilerOptions> = {
  intervalMs: 60_000,
  pollIntervalMs: 60_000, // the poller tests call pollAll() themselves
  backoff: { initialMs: 50, maxMs: 200 },
  busyRetryMs: 50,
  scope: (serverId) => ours.has(serverId),
};

/** The app with FAST's options, `options` on top. */
function startApp(driver: NodeDriver, options: Partial<ReconcilerOptions> = {}): Promise<TestingModule> {
  return startReconcilerApp(driver, { ...FAST, ...options });
}

// Several tests start apps of their own and wait out the push gap (1 s) more than once.
jest.setTimeout(30_000);

describe('Reconciler', () => {
  const fake = new FakeNodeDriver();
  let app: TestingModule;
  let asApp: NestFastifyApplication;
  let db: DataSource;

  beforeAll(async () => {
    app = await startApp(fake);
    asApp = app as unknown as NestFastifyApplication;
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
  });

  beforeEach(() => {
    fake.failure = null;
    fake.delayMs = 0;
  });

  /** A server of our own with a customer assigned to it. */
  async function setUp(options: { maxUsers?: number } = {}): Promise<{ server: TestServer; principal: Principal; assignmentId: number }> {
    const server = await makeServer(asApp, { ipv4Subnet: '10.20.0.0/22' });
    ours.add(server.serverId);
    const account = await makeAccount(asApp, 'customer');
    const assignmentId = await assign(asApp, server.serverId, account.id, { maxUsers: options.maxUsers ?? null });
    const principal: Principal = { accountId: account.id, kind: 'customer', parentId: null, apiKeyId: account.keyId, sourceIp: '127.0.0.1' };
    return { server, principal, assignmentId };
  }

  async function createUser(target: NestFastifyApplication | TestingModule, principal: Principal, assignmentId: number, name: string) {
    const context = await target.get(FleetAccess).resolveAssignment(principal, assignmentId);
    const { user } = await target.get(PeersService).create(principal, context, { client_name: name } as CreateUserDto);
    return user;
  }

  async function usersOf(serverId: number): Promise<Array<{ id: number; state: string; state_error: string | null; public_key: string }>> {
    const rows = await db.query('SELECT id, state, state_error, public_key FROM wg_user WHERE server_id = $1 ORDER BY id', [serverId]);
    return rows.map((row: { id: string }) => ({ ...row, id: Number(row.id) }));
  }

  async function syncOf(serverId: number) {
    const [row] = await db.query(
      `SELECT s.desired_generation::int AS desired, s.applied_generation::int AS applied, s.last_error, s.last_applied_at,
              n.reachable, n.last_error AS node_error, n.last_contact_at
         FROM server s JOIN node n ON n.id = s.node_id WHERE s.id = $1`,
      [serverId],
    );
    return row as { desired: number; applied: number; last_error: string | null; last_applied_at: Date | null; reachable: boolean | null; node_error: string | null; last_contact_at: Date | null };
  }

  const inSync = (serverId: number) => async () => {
    const sync = await syncOf(serverId);
    return sync.applied === sync.desired && sync.last_error === null;
  };

  it('makes a created user active and the server applied, without any request', async () => {
    const { server, principal, assignmentId } = await setUp();
    const user = await createUser(app, principal, assignmentId, 'alice');
    expect(user.state).toBe('pending');

    await waitFor('the server in sync', inSync(server.serverId));
    expect(await usersOf(server.serverId)).toEqual([expect.objectContaining({ id: user.id, state: 'active', state_error: null })]);
    const sync = await syncOf(server.serverId);
    expect(sync).toMatchObject({ reachable: true, node_error: null });
    expect(sync.last_applied_at).toBeInstanceOf(Date);
    expect(sync.last_contact_at).toBeInstanceOf(Date);

    const last = fake.appliesTo(server.nodeId).at(-1)!;
    expect(last.target).toMatchObject({ nodeId: server.nodeId, transport: 'local', ssh: null });
    expect(last.desired).toMatchObject({ interfaceName: 'wg0', addresses: ['10.20.0.1/22', 'fd42:66:1::1/64'], mtu: 1420 });
    expect(last.desired.tunnelSubnets).toEqual(['10.20.0.0/22', 'fd42:66:1::/64']);
    expect(last.desired.peersConfig).toContain(`PublicKey = ${user.publicKey}`);
    expect(last.desired.peersConfig).toMatch(/PresharedKey = \S+/);
    // The server side only routes the user's own addresses, whatever the client's AllowedIPs are.
    expect(last.desired.peersConfig).toContain(`AllowedIPs = ${user.ipv4}/32, ${user.ipv6}/128`);
  });

  it('coalesces a burst of 200 creates into a handful of pushes', async () => {
    const { server, principal, assignmentId } = await setUp();
    fake.delayMs = 20;
    const context = await app.get(FleetAccess).resolveAssignment(principal, assignmentId);
    const peers = app.get(PeersService);
    const created: UserEntity[] = [];
    // 10 writers at a time, as an HTTP burst would arrive.
    for (let batch = 0; batch < 20; batch++) {
      const users = await Promise.all(
        Array.from({ length: 10 }, (_, i) => peers.create(principal, context, { client_name: `burst-${batch}-${i}` } as CreateUserDto)),
      );
      created.push(...users.map((result) => result.user));
    }
    await waitFor('the burst applied', inSync(server.serverId), 20_000);
    await app.get(Reconciler).idle();

    const pushes = fake.appliesTo(server.nodeId).length;
    expect(pushes).toBeGreaterThanOrEqual(1);
    expect(pushes).toBeLessThanOrEqual(10);
    const users = await usersOf(server.serverId);
    expect(users).toHaveLength(200);
    expect(users.every((user) => user.state === 'active')).toBe(true);
    expect(fake.peerKeysOn(server.nodeId, 'wg0')).toHaveLength(200);
  });

  it('spaces pushes further while a long burst goes on, so it costs a handful of pushes, not one per minimum gap', async () => {
    // An app of its own with small gaps; the file's app never sees this server (another scope).
    const separate = new Set<number>();
    const burstFake = new FakeNodeDriver();
    const burstApp = await startApp(burstFake, { minPushGapMs: 100, maxPushGapMs: 800, scope: (id) => separate.has(id) });
    try {
      const server = await makeServer(asApp, { ipv4Subnet: '10.22.0.0/22' });
      separate.add(server.serverId);
      const account = await makeAccount(asApp, 'customer');
      const assignmentId = await assign(asApp, server.serverId, account.id);
      const principal: Principal = { accountId: account.id, kind: 'customer', parentId: null, apiKeyId: account.keyId, sourceIp: '127.0.0.1' };
      const target = burstApp as unknown as NestFastifyApplication;
      // About 3 s of steady creates: with a fixed 100 ms gap that would be ~30 pushes.
      const until = Date.now() + 3_000;
      let count = 0;
      while (Date.now() < until) {
        await createUser(target, principal, assignmentId, `steady-${count++}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await waitFor('the burst applied', async () => burstFake.peerKeysOn(server.nodeId, 'wg0').length === count, 10_000);
      const starts = burstFake.appliesTo(server.nodeId).map((apply) => apply.startedAt);
      const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
      expect(starts.length).toBeLessThanOrEqual(12);
      expect(Math.max(...gaps)).toBeGreaterThanOrEqual(700); // it reached the 800 ms ceiling
    } finally {
      await burstApp.close();
    }
  });

  it('keeps users pending while the node is down, then converges by itself when it is back', async () => {
    const { server, principal, assignmentId } = await setUp();
    fake.failure = { kind: 'unreachable', message: 'connect ETIMEDOUT' };
    const user = await createUser(app, principal, assignmentId, 'bob');

    await waitFor('the failure recorded', async () => (await syncOf(server.serverId)).last_error !== null);
    const failed = await syncOf(server.serverId);
    expect(failed.applied).toBeLessThan(failed.desired);
    expect(failed.last_error).toContain('connect ETIMEDOUT');
    expect(failed).toMatchObject({ reachable: false });
    expect(failed.node_error).toContain('connect ETIMEDOUT');
    expect(await usersOf(server.serverId)).toEqual([expect.objectContaining({ id: user.id, state: 'pending', state_error: null })]);
    // Backoff retries happen on their own.
    const attempts = fake.appliesTo(server.nodeId).length;
    await waitFor('a retry', () => fake.appliesTo(server.nodeId).length > attempts, 2_000);

    fake.failure = null;
    await waitFor('the server in sync after the node came back', inSync(server.serverId), 15_000);
    expect(await usersOf(server.serverId)).toEqual([expect.objectContaining({ id: user.id, state: 'active', state_error: null })]);
    expect(await syncOf(server.serverId)).toMatchObject({ reachable: true, node_error: null, last_error: null });
  });

  it('marks pending users as error with the reason when the node refuses the config', async () => {
    const { server, principal, assignmentId } = await setUp();
    fake.failure = { kind: 'command', message: 'wg syncconf failed: Invalid argument' };
    const user = await createUser(app, principal, assignmentId, 'carol');

    await waitFor('the user in error', async () => (await usersOf(server.serverId))[0]?.state === 'error');
    expect(await usersOf(server.serverId)).toEqual([
      expect.objectContaining({ id: user.id, state: 'error', state_error: 'wg syncconf failed: Invalid argument' }),
    ]);
    expect(await syncOf(server.serverId)).toMatchObject({ last_error: 'wg syncconf failed: Invalid argument', reachable: true });

    fake.failure = null;
    await waitFor('recovery', inSync(server.serverId), 15_000);
    expect((await usersOf(server.serverId))[0]).toMatchObject({ state: 'active', state_error: null });
  });

  it('stops at a host key mismatch: users in error, the node marked unreachable', async () => {
    const { server, principal, assignmentId } = await setUp();
    fake.failure = { kind: 'host_key', message: 'node test presented another host key than the pinned one' };
    await createUser(app, principal, assignmentId, 'mallory');

    await waitFor('the user in error', async () => (await usersOf(server.serverId))[0]?.state === 'error');
    expect((await usersOf(server.serverId))[0]!.state_error).toContain('host key mismatch');
    const sync = await syncOf(server.serverId);
    expect(sync).toMatchObject({ reachable: false });
    expect(sync.node_error).toContain('host key mismatch');
    expect(sync.last_error).toContain('host key mismatch');
  });

  it("pushes at once on the admin's reconcile request, even while backing off", async () => {
    const { server, principal, assignmentId } = await setUp();
    ours.delete(server.serverId);
    const driver = new FakeNodeDriver();
    driver.failure = { kind: 'unreachable', message: 'no route to host' };
    const patient = await startApp(driver, { scope: (id) => id === server.serverId, backoff: { initialMs: 60_000, maxMs: 60_000 } });
    try {
      await createUser(patient, principal, assignmentId, 'olga');
      await waitFor('the failure recorded', async () => (await syncOf(server.serverId)).last_error !== null);
      driver.failure = null;
      patient.get(ReconcileRequests).request(server.serverId);
      await waitFor('the server in sync', inSync(server.serverId), 15_000);
      expect((await usersOf(server.serverId))[0]).toMatchObject({ state: 'active' });
    } finally {
      await patient.close();
    }
  });

  it('pushes port forwards with the user and marks them active', async () => {
    const { server, principal, assignmentId } = await setUp();
    const user = await createUser(app, principal, assignmentId, 'dave');
    const forward = await app.get(PortForwardsService).create(principal, user.id, { externalPort: 40123, internalPort: 8080, protocol: 'tcp', comment: '' });

    await waitFor('the forward active', async () => {
      const [row] = await db.query('SELECT state FROM port_forward WHERE id = $1', [forward.id]);
      return row.state === 'active';
    });
    await waitFor('the server in sync', inSync(server.serverId));
    const rules = fake.appliesTo(server.nodeId).at(-1)!.desired.forwardRules;
    expect(rules).toContain(`--dport 40123`);
    expect(rules).toContain(`--to-destination ${user.ipv4}:8080`);
    expect(rules).toContain('--to-source 10.20.0.1');
  });

  it('leaves a suspended account out of the next push, and brings it back on unsuspend', async () => {
    const { server, principal, assignmentId } = await setUp();
    // A second account on the same server, which stays.
    const other = await makeAccount(asApp, 'customer');
    const otherAssignment = await assign(asApp, server.serverId, other.id);
    const otherPrincipal: Principal = { accountId: other.id, kind: 'customer', parentId: null, apiKeyId: other.keyId, sourceIp: '127.0.0.1' };

    const suspendedUser = await createUser(app, principal, assignmentId, 'erin');
    const stayingUser = await createUser(app, otherPrincipal, otherAssignment, 'frank');
    await waitFor('both pushed', async () => (await inSync(server.serverId)()) && fake.peerKeysOn(server.nodeId, 'wg0').length === 2);

    await app.get(AccountsService).setSuspended(principal.accountId, true);
    await waitFor('the suspended peer removed', () => fake.peerKeysOn(server.nodeId, 'wg0').length === 1);
    expect(fake.peerKeysOn(server.nodeId, 'wg0')).toEqual([stayingUser.publicKey]);
    await waitFor('in sync', inSync(server.serverId));

    await app.get(AccountsService).setSuspended(principal.accountId, false);
    await waitFor('the peer back', () => fake.peerKeysOn(server.nodeId, 'wg0').length === 2);
    expect(fake.peerKeysOn(server.nodeId, 'wg0')).toContain(suspendedUser.publicKey);
  });

  it('removes a deleted user from the next push', async () => {
    const { server, principal, assignmentId } = await setUp();
    const gone = await createUser(app, principal, assignmentId, 'gina');
    const stays = await createUser(app, principal, assignmentId, 'hank');
    await waitFor('both pushed', () => fake.peerKeysOn(server.nodeId, 'wg0').length === 2);

    await app.get(PeersService).delete(principal, gone.id);
    await waitFor('the deleted peer gone', () => fake.peerKeysOn(server.nodeId, 'wg0').length === 1);
    expect(fake.peerKeysOn(server.nodeId, 'wg0')).toEqual([stays.publicKey]);
    await waitFor('in sync', inSync(server.serverId));
  });

  it('repairs drift on the periodic pass', async () => {
    const { server, principal, assignmentId } = await setUp();
    const user = await createUser(app, principal, assignmentId, 'ivan');
    await waitFor('pushed', () => fake.peerKeysOn(server.nodeId, 'wg0').length === 1);
    await app.get(Reconciler).idle();

    fake.tamper(server.nodeId, 'wg0', (state) => ({ ...state, peersConfig: state.peersConfig.split('\n[Peer]')[0]! }));
    expect(fake.peerKeysOn(server.nodeId, 'wg0')).toEqual([]);
    // Pretend the last apply is older than the interval, as the periodic timer would find it.
    await db.query(`UPDATE server SET last_applied_at = now() - interval '1 hour' WHERE id = $1`, [server.serverId]);
    expect(await app.get(Reconciler).reconcileAll()).toBeGreaterThanOrEqual(1);
    await waitFor('the peer restored', () => fake.peerKeysOn(server.nodeId, 'wg0').length === 1);
    expect(fake.peerKeysOn(server.nodeId, 'wg0')).toEqual([user.publicKey]);
  });

  it('reconciles every server at start', async () => {
    const { server, assignmentId } = await setUp();
    // Written behind the reconciler's back (as if the control plane was down): nobody woke it.
    await db.query(
      `INSERT INTO wg_user (server_id, assignment_id, client_name, public_key, ipv4, allowed_ips, persistent_keepalive)
       VALUES ($1, $2, 'offline-write', $3, '10.20.0.50', ARRAY['0.0.0.0/0'], 25)`,
      [server.serverId, assignmentId, generateKeyPair().publicKey],
    );
    await db.query('UPDATE server SET desired_generation = desired_generation + 1 WHERE id = $1', [server.serverId]);
    const second = new FakeNodeDriver();
    const restarted = await startApp(second);
    try {
      await waitFor('the start pass', () => second.peerKeysOn(server.nodeId, 'wg0').length === 1);
      await waitFor('in sync', inSync(server.serverId));
    } finally {
      await restarted.close();
    }
  });

  it('never pushes one server from two replicas at once, and both converge it', async () => {
    const { server, principal, assignmentId } = await setUp();
    // Only the two replicas below push this server.
    ours.delete(server.serverId);
    const only = { scope: (id: number) => id === server.serverId };
    const shared = new FakeNodeDriver();
    shared.delayMs = 30;
    const replicaA = await startApp(shared, only);
    const replicaB = await startApp(shared, only);
    try {
      const writes: Array<Promise<unknown>> = [];
      for (let i = 0; i < 30; i++) {
        const replica = i % 2 === 0 ? replicaA : replicaB;
        writes.push(createUser(replica, principal, assignmentId, `rep-${i}`));
        // Explicit wakes on both, as NOTIFYs racing local wakes would cause.
        replicaA.get(Reconciler).wake(server.serverId);
        replicaB.get(Reconciler).wake(server.serverId);
        if (i % 5 === 4) await Promise.all(writes.splice(0));
      }
      await Promise.all(writes);
      await waitFor('in sync', inSync(server.serverId), 15_000);
      await waitFor('all active', async () => (await usersOf(server.serverId)).every((user) => user.state === 'active'));
      await Promise.all([replicaA.get(Reconciler).idle(), replicaB.get(Reconciler).idle()]);
      expect(shared.overlaps).toBe(0);
      expect(shared.peerKeysOn(server.nodeId, 'wg0')).toHaveLength(30);
    } finally {
      await replicaA.close();
      await replicaB.close();
    }
  });

  it('skips a server whose lock another session holds, and pushes it once the lock is free', async () => {
    const { server, principal, assignmentId } = await setUp();
    await createUser(app, principal, assignmentId, 'locked');
    await waitFor('in sync', inSync(server.serverId));
    await app.get(Reconciler).idle();
    const other = new Client({ connectionString: await migratedDatabaseUrl() });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1::int, $2::int)', [RECONCILE_LOCK_NAMESPACE, server.serverId]);
      const before = fake.appliesTo(server.nodeId).length;
      await createUser(app, principal, assignmentId, 'waits');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(fake.appliesTo(server.nodeId).length).toBe(before);
      await other.query('SELECT pg_advisory_unlock($1::int, $2::int)', [RECONCILE_LOCK_NAMESPACE, server.serverId]);
      await waitFor('pushed after the lock was freed', inSync(server.serverId), 15_000);
      expect(fake.peerKeysOn(server.nodeId, 'wg0')).toHaveLength(2);
    } finally {
      await other.end();
    }
  });

  it('wakes another replica through NOTIFY after a commit', async () => {
    const { server, principal, assignmentId } = await setUp();
    ours.delete(server.serverId);
    const listening = new FakeNodeDriver();
    const pusher = await startApp(listening, { scope: (id) => id === server.serverId });
    // This replica writes but never pushes (an API-only replica).
    const writer = await startApp(new FakeNodeDriver(), { enabled: false });
    try {
      await createUser(writer, principal, assignmentId, 'remote');
      await waitFor('the other replica pushed', () => listening.peerKeysOn(server.nodeId, 'wg0').length === 1, 15_000);
    } finally {
      await writer.close();
      await pusher.close();
    }
  });

  it('polls live status into what the API reads: online, endpoint, cumulative bytes; a missing interface reads as down', async () => {
    const { server, principal, assignmentId } = await setUp();
    const user = await createUser(app, principal, assignmentId, 'polled');
    await waitFor('pushed', inSync(server.serverId));
    const telemetry = app.get(PeerTelemetry);
    const poller = app.get(StatusPoller);

    fake.traffic.set(user.publicKey, { rx: 500, tx: 700, handshakeAt: Math.floor(Date.now() / 1000) - 5, endpoint: '198.18.9.9:51000' });
    await poller.pollAll();
    expect(await telemetry.interfaceOf(server.serverId)).toMatchObject({ interface: 'up', polledAt: expect.any(Date) });
    expect((await telemetry.statusOf(server.serverId, [user.id])).get(user.id)).toMatchObject({
      online: true,
      endpoint: '198.18.9.9:51000',
      rxBytes: 500,
      txBytes: 700,
    });

    // The interface restarted: the node's counters begin again; the totals do not.
    fake.traffic.set(user.publicKey, { rx: 50, tx: 70, handshakeAt: Math.floor(Date.now() / 1000), endpoint: '198.18.9.9:51000' });
    await poller.pollAll();
    expect((await telemetry.statusOf(server.serverId, [user.id])).get(user.id)).toMatchObject({ rxBytes: 550, txBytes: 770 });

    fake.nodeState.delete(FakeNodeDriver.key(server.nodeId, 'wg0'));
    await poller.pollAll();
    expect((await telemetry.interfaceOf(server.serverId)).interface).toBe('down');
    expect((await telemetry.statusOf(server.serverId, [user.id])).get(user.id)).toMatchObject({ rxBytes: 550, txBytes: 770 });
  });

  it('polls the other servers when one node holds SSH details it cannot open, and a pass never rejects', async () => {
    const { server: readable, principal, assignmentId } = await setUp();
    const user = await createUser(app, principal, assignmentId, 'beside-a-bad-node');
    await waitFor('pushed', inSync(readable.serverId));
    // A node written under another master key (another deployment's row, a restored dump…).
    const { server: unreadable } = await setUp();
    await db.query(
      `UPDATE node SET transport = 'ssh', ssh_host = '127.0.0.1', ssh_port = 22, ssh_username = 'root',
                       ssh_private_key_enc = '\\x01deadbeef'::bytea, ssh_host_key = 'ssh-ed25519 AAAA' WHERE id = $1`,
      [unreadable.nodeId],
    );
    fake.traffic.set(user.publicKey, { rx: 11, tx: 13, handshakeAt: Math.floor(Date.now() / 1000), endpoint: '198.18.9.10:51000' });

    await expect(app.get(StatusPoller).pollAll()).resolves.toBeUndefined();
    expect((await app.get(PeerTelemetry).statusOf(readable.serverId, [user.id])).get(user.id)).toMatchObject({ rxBytes: 11, txBytes: 13 });
    expect((await app.get(PeerTelemetry).interfaceOf(unreadable.serverId)).polledAt).toBeNull();
  });

  describe('a deleted server', () => {
    async function admin(): Promise<Principal> {
      const account = await makeAccount(asApp, 'admin');
      return { accountId: account.id, kind: 'admin', parentId: null, apiKeyId: account.keyId, sourceIp: '127.0.0.1' };
    }

    /** Through the service, as the admin API does: the delete records the removal in its transaction. */
    async function deleteServer(serverId: number): Promise<void> {
      await db.query('DELETE FROM wg_user WHERE server_id = $1', [serverId]);
      await db.query('DELETE FROM assignment WHERE server_id = $1', [serverId]);
      await app.get(ServersService).delete(await admin(), serverId);
    }

    const removalsOf = async (serverId: number) =>
      (await db.query('SELECT last_error FROM server_removal WHERE server_id = $1', [serverId])) as Array<{ last_error: string | null }>;

    it('has its interface taken off the node after commit, without any request', async () => {
      const { server, principal, assignmentId } = await setUp();
      await createUser(app, principal, assignmentId, 'leftover');
      await waitFor('pushed', inSync(server.serverId));
      expect(fake.peerKeysOn(server.nodeId, 'wg0')).toHaveLength(1);

      await deleteServer(server.serverId);
      await waitFor('the interface removed', () => fake.removals.includes(FakeNodeDriver.key(server.nodeId, 'wg0')));
      expect(fake.nodeState.has(FakeNodeDriver.key(server.nodeId, 'wg0'))).toBe(false);
      await waitFor('the removal recorded as done', async () => (await removalsOf(server.serverId)).length === 0);
    });

    it('keeps the removal while the node is down, with the reason, and does it once the node is back', async () => {
      const { server } = await setUp();
      app.get(Reconciler).wake(server.serverId); // written straight to the table: nothing woke it
      await waitFor('pushed', inSync(server.serverId));
      fake.failure = { kind: 'unreachable', message: 'connect ECONNREFUSED' };
      await deleteServer(server.serverId);
      await waitFor('the failure recorded', async () => (await removalsOf(server.serverId))[0]?.last_error != null);
      expect(await removalsOf(server.serverId)).toEqual([{ last_error: 'connect ECONNREFUSED' }]);
      expect(fake.nodeState.has(FakeNodeDriver.key(server.nodeId, 'wg0'))).toBe(true);

      fake.failure = null;
      await app.get(InterfaceRemover).request(); // what every periodic pass does
      expect(fake.nodeState.has(FakeNodeDriver.key(server.nodeId, 'wg0'))).toBe(false);
      expect(await removalsOf(server.serverId)).toEqual([]);
    });

    it('is not removed when a new server takes the same node and interface first; the new one is pushed at once', async () => {
      const { server } = await setUp();
      app.get(Reconciler).wake(server.serverId); // written straight to the table: nothing woke it
      await waitFor('pushed', inSync(server.serverId));
      fake.failure = { kind: 'unreachable', message: 'connect ECONNREFUSED' };
      await deleteServer(server.serverId);
      await waitFor('the removal pending', async () => (await removalsOf(server.serverId))[0]?.last_error != null);

      const committed: number[] = [];
      const stopListening = app.get(FleetChanges).onCommitted((ids) => committed.push(...ids));
      const created = await app.get(ServersService).create(await admin(), server.nodeId, {
        name: `again-${server.serverId}`,
        location: 'Test',
        interface: 'wg0',
        listen_port: 51820,
        ipv4_subnet: '10.21.0.0/24',
      } as CreateServerDto);
      stopListening();
      // The create's commit wakes the reconciler (here the scope, which learns the id only now, drops that wake).
      expect(committed).toContain(created.server.id);
      expect(await removalsOf(server.serverId)).toEqual([]);

      fake.failure = null;
      await app.get(InterfaceRemover).request();
      expect(fake.removals).not.toContain(FakeNodeDriver.key(server.nodeId, 'wg0'));
      ours.add(created.server.id);
      app.get(Reconciler).wake(created.server.id);
      await waitFor('the new server pushed', inSync(created.server.id));
      expect(fake.nodeState.get(FakeNodeDriver.key(server.nodeId, 'wg0'))?.addresses).toEqual(['10.21.0.1/24']);
    });
  });
});
