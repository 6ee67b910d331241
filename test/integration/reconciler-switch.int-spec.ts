import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import type { Principal } from '@wgfleet/core';
import { FakeNodeDriver, Reconciler, type DesiredServerState, type NodeTarget, type ReconcilerOptions } from '@wgfleet/node-sync';
import { PeersService } from '@wgfleet/peers';
import { FleetAccess, ServersService, type FleetActor } from '@wgfleet/servers';
import type { CreateUserDto } from '../../libs/peers/src/peers.dto.js';
import { assign, makeServer, type TestServer } from '../support/fleet-factory.js';
import { startReconcilerApp } from '../support/reconciler-app.js';
import { makeAccount } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * A server switched off (WGDashboard's toggle) and renamed, converged by the reconciler onto a fake
 * node: off = its interface removed, on = applied again with the same peers; a rename removes the
 * old interface before the new one (which takes over its listen port) is applied.
 */

/** The fake node, recording the order of what it was asked to do. */
class OrderedFake extends FakeNodeDriver {
  readonly ops: string[] = [];

  override async apply(target: NodeTarget, desired: DesiredServerState): Promise<void> {
    this.ops.push(`apply ${target.nodeId}/${desired.interfaceName}`);
    await super.apply(target, desired);
  }

  override async remove(target: NodeTarget, interfaceName: string): Promise<void> {
    this.ops.push(`remove ${target.nodeId}/${interfaceName}`);
    await super.remove(target, interfaceName);
  }
}

const ours = new Set<number>();
const OPTIONS: Partial<ReconcilerOptions> = {
  intervalMs: 60_000,
  pollIntervalMs: 60_000,
  minPushGapMs: 10,
  backoff: { initialMs: 50, maxMs: 200 },
  busyRetryMs: 50,
  scope: (serverId) => ours.has(serverId),
};
const ADMIN: FleetActor = { accountId: null, apiKeyId: null, sourceIp: '127.0.0.1', auditDetails: { by_test: true } };

jest.setTimeout(30_000);

describe('Reconciler: servers switched off, on, and renamed', () => {
  const fake = new OrderedFake();
  let app: TestingModule;
  let db: DataSource;
  let servers: ServersService;

  beforeAll(async () => {
    app = await startReconcilerApp(fake, OPTIONS);
    db = app.get(DataSource);
    servers = app.get(ServersService);
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(() => {
    fake.failure = null;
  });

  const asApp = () => app as unknown as NestFastifyApplication;

  /** A server of ours with two users, pushed once. */
  async function pushedServerWithUsers(subnet: string): Promise<{ server: TestServer; keys: string[] }> {
    const server = await makeServer(asApp(), { ipv4Subnet: subnet });
    ours.add(server.serverId);
    const account = await makeAccount(asApp(), 'customer');
    const assignmentId = await assign(asApp(), server.serverId, account.id);
    const principal: Principal = { accountId: account.id, kind: 'customer', parentId: null, apiKeyId: account.keyId, sourceIp: '127.0.0.1' };
    const context = await app.get(FleetAccess).resolveAssignment(principal, assignmentId);
    for (const name of ['alice', 'bob']) await app.get(PeersService).create(principal, context, { client_name: name } as CreateUserDto);
    await waitFor('both users on the node', () => fake.peerKeysOn(server.nodeId, 'wg0').length === 2);
    await waitFor('in sync', inSync(server.serverId));
    return { server, keys: fake.peerKeysOn(server.nodeId, 'wg0').sort() };
  }

  const syncOf = async (serverId: number) =>
    (await db.query('SELECT desired_generation::int AS desired, applied_generation::int AS applied, last_error FROM server WHERE id = $1', [serverId]))[0] as {
      desired: number;
      applied: number;
      last_error: string | null;
    };
  const inSync = (serverId: number) => async () => {
    const sync = await syncOf(serverId);
    return sync.applied === sync.desired && sync.last_error === null;
  };
  const onNode = (server: TestServer, name: string) => fake.nodeState.has(FakeNodeDriver.key(server.nodeId, name));
  const opsOf = (server: TestServer) => fake.ops.filter((op) => op.includes(` ${server.nodeId}/`));

  it('takes a switched-off server’s interface off its node and brings it back with the same peers, each a generation', async () => {
    const { server, keys } = await pushedServerWithUsers('10.31.0.0/24');
    const before = await syncOf(server.serverId);

    expect(await servers.setEnabled(ADMIN, server.serverId, false)).toBe(true);
    expect(await servers.setEnabled(ADMIN, server.serverId, false)).toBe(false);
    await waitFor('the interface off the node', () => !onNode(server, 'wg0'));
    await waitFor('in sync while off', inSync(server.serverId));
    expect((await syncOf(server.serverId)).desired).toBe(before.desired + 1);
    // The users stay in Postgres, as they were.
    const users = await db.query('SELECT state FROM wg_user WHERE server_id = $1', [server.serverId]);
    expect(users).toEqual([{ state: 'active' }, { state: 'active' }]);
    expect(opsOf(server).at(-1)).toBe(`remove ${server.nodeId}/wg0`);

    expect(await servers.setEnabled(ADMIN, server.serverId, true)).toBe(true);
    await waitFor('the interface back', () => onNode(server, 'wg0'));
    await waitFor('in sync while on', inSync(server.serverId));
    expect(fake.peerKeysOn(server.nodeId, 'wg0').sort()).toEqual(keys);
    const audit = await db.query(`SELECT action, details FROM audit_log WHERE target_type = 'server' AND target_id = $1 ORDER BY id`, [server.serverId]);
    expect(audit.map((entry: { action: string }) => entry.action)).toEqual(['server.disable', 'server.enable']);
    expect(audit[0].details).toEqual({ by_test: true });
  });

  it('keeps a switched-off server off: the periodic pass removes an interface brought back by hand', async () => {
    const { server } = await pushedServerWithUsers('10.32.0.0/24');
    await servers.setEnabled(ADMIN, server.serverId, false);
    await waitFor('the interface off the node', () => !onNode(server, 'wg0'));
    await waitFor('in sync while off', inSync(server.serverId));
    // Someone runs wg-quick up on the node.
    fake.nodeState.set(FakeNodeDriver.key(server.nodeId, 'wg0'), fake.applies.at(-1)!.desired);
    await db.query('UPDATE server SET last_applied_at = now() - interval \'1 hour\' WHERE id = $1', [server.serverId]);
    await app.get(Reconciler).reconcileAll();
    await waitFor('the interface off again', () => !onNode(server, 'wg0'));
  });

  it('renames: the old interface leaves the node before the new one is applied, with the same peers', async () => {
    const { server, keys } = await pushedServerWithUsers('10.33.0.0/24');
    fake.ops.length = 0;
    await servers.rename(ADMIN, server.serverId, 'wg-renamed');
    await waitFor('the new interface on the node', () => onNode(server, 'wg-renamed'));
    await waitFor('in sync', inSync(server.serverId));
    expect(onNode(server, 'wg0')).toBe(false);
    expect(opsOf(server)).toEqual([`remove ${server.nodeId}/wg0`, `apply ${server.nodeId}/wg-renamed`]);
    expect(fake.peerKeysOn(server.nodeId, 'wg-renamed').sort()).toEqual(keys);
    expect(await db.query('SELECT 1 FROM server_removal WHERE server_id = $1', [server.serverId])).toEqual([]);
  });

  it('renames while the node is down: the old interface waits in server_removal, then both converge', async () => {
    const { server } = await pushedServerWithUsers('10.34.0.0/24');
    fake.failure = { kind: 'unreachable', message: 'connect ETIMEDOUT' };
    await servers.rename(ADMIN, server.serverId, 'wg7', { enabled: false });
    await waitFor('the failure recorded', async () => (await syncOf(server.serverId)).last_error !== null);
    expect(await db.query('SELECT interface FROM server_removal WHERE server_id = $1', [server.serverId])).toEqual([{ interface: 'wg0' }]);
    expect(onNode(server, 'wg0')).toBe(true);
    fake.failure = null;
    await waitFor('in sync once the node is back', inSync(server.serverId), 15_000);
    // Renamed switched off (as WGDashboard leaves it): the old one is gone and the new one is not applied.
    expect(onNode(server, 'wg0')).toBe(false);
    expect(onNode(server, 'wg7')).toBe(false);
    expect(await db.query('SELECT 1 FROM server_removal WHERE server_id = $1', [server.serverId])).toEqual([]);
  });

  it('renaming back and forth leaves exactly the current name on the node', async () => {
    const { server } = await pushedServerWithUsers('10.35.0.0/24');
    await servers.rename(ADMIN, server.serverId, 'wg5');
    await servers.rename(ADMIN, server.serverId, 'wg0');
    await waitFor('in sync', inSync(server.serverId));
    await app.get(Reconciler).idle();
    expect(onNode(server, 'wg0')).toBe(true);
    expect(onNode(server, 'wg5')).toBe(false);
    expect(await db.query('SELECT 1 FROM server_removal WHERE server_id = $1', [server.serverId])).toEqual([]);
  });

  it('refuses a rename to an interface another server of the node has', async () => {
    const { server } = await pushedServerWithUsers('10.36.0.0/24');
    const [other] = await db.query(
      `INSERT INTO server (node_id, name, location, interface, listen_port, private_key_enc, public_key, ipv4_subnet, dns, forward_port_min, forward_port_max, reserved_ports)
       SELECT node_id, 'other', 'Test', 'wg9', 51999, private_key_enc, public_key, '10.37.0.0/24', dns, 1, 65535, '{}' FROM server WHERE id = $1 RETURNING id`,
      [server.serverId],
    );
    await expect(servers.rename(ADMIN, server.serverId, 'wg9')).rejects.toMatchObject({ code: 'duplicate_name' });
    expect(Number(other.id)).toBeGreaterThan(0);
  });
});
