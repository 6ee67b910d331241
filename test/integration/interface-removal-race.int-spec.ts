import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import type { Principal } from '@wgfleet/core';
import { FakeNodeDriver, InterfaceRemover, Reconciler, type NodeTarget } from '@wgfleet/node-sync';
import { ServersService } from '@wgfleet/servers';
import type { CreateServerDto } from '../../libs/servers/src/servers.dto.js';
import { makeServer } from '../support/fleet-factory.js';
import { startReconcilerApp } from '../support/reconciler-app.js';
import { makeAccount } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * A deleted server's interface and a new server that takes the same node and interface over, with
 * the removal and the push interleaved by hand: the fake node holds every removal until the test
 * lets it go. Whatever the interleaving, the new server's interface ends up on the node.
 */

/** A fake node whose removals wait, while the gate is closed, until the test opens it. */
class GatedRemovalsDriver extends FakeNodeDriver {
  private gate: { opened: Promise<void>; open: () => void } | null = null;
  /** Removals waiting at the gate now. */
  waiting = 0;
  /** `<nodeId>/<interface>` → when its last removal took effect. */
  readonly removedAt = new Map<string, number>();

  closeGate(): void {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.gate = { opened, open };
  }

  openGate(): void {
    this.gate?.open();
    this.gate = null;
  }

  override async remove(target: NodeTarget, interfaceName: string): Promise<void> {
    const gate = this.gate;
    if (gate) {
      this.waiting += 1;
      await gate.opened;
      this.waiting -= 1;
    }
    await super.remove(target, interfaceName);
    this.removedAt.set(FakeNodeDriver.key(target.nodeId, interfaceName), Date.now());
  }
}

const ours = new Set<number>();

jest.setTimeout(30_000);

describe('a deleted server’s interface taken over by a new server on the same node', () => {
  const fake = new GatedRemovalsDriver();
  let app: TestingModule;
  let db: DataSource;
  let subnet = 0;

  beforeAll(async () => {
    app = await startReconcilerApp(fake, { intervalMs: 60_000, pollIntervalMs: 60_000, busyRetryMs: 50, backoff: { initialMs: 50, maxMs: 200 }, scope: (id) => ours.has(id) });
    db = app.get(DataSource);
  });

  afterEach(() => {
    fake.openGate();
    fake.failure = null;
  });

  afterAll(async () => {
    await app?.close();
  });

  async function admin(): Promise<Principal> {
    const account = await makeAccount(app as unknown as NestFastifyApplication, 'admin');
    return { accountId: account.id, kind: 'admin', parentId: null, apiKeyId: account.keyId, sourceIp: '127.0.0.1' };
  }

  const inSync = (serverId: number) => async () => {
    const [row] = await db.query('SELECT desired_generation = applied_generation AND last_error IS NULL AS ok FROM server WHERE id = $1', [serverId]);
    return row?.ok === true;
  };

  /** A server on the node, pushed; its subnet is what tells the node's configs apart. */
  async function serverOn(nodeId: number | null, interfaceName: string, listenPort: number): Promise<{ serverId: number; nodeId: number; address: string }> {
    const third = 60 + (++subnet % 60);
    let made: { serverId: number; nodeId: number };
    if (nodeId === null) {
      made = await makeServer(app as unknown as NestFastifyApplication, { ipv4Subnet: `10.91.${third}.0/24`, listenPort });
    } else {
      const created = await app.get(ServersService).create(await admin(), nodeId, {
        name: `race-${process.pid}-${subnet}`,
        location: 'Test',
        interface: interfaceName,
        listen_port: listenPort,
        ipv4_subnet: `10.91.${third}.0/24`,
      } as CreateServerDto);
      made = { serverId: created.server.id, nodeId };
    }
    ours.add(made.serverId);
    app.get(Reconciler).wake(made.serverId);
    await waitFor('the server pushed', inSync(made.serverId));
    return { ...made, address: `10.91.${third}.1/24` };
  }

  async function deleteServer(serverId: number): Promise<void> {
    await app.get(ServersService).delete(await admin(), serverId);
  }

  const removalsOf = async (serverId: number) => (await db.query('SELECT last_error FROM server_removal WHERE server_id = $1', [serverId])) as Array<{ last_error: string | null }>;
  const onNode = (nodeId: number, interfaceName: string) => fake.nodeState.get(FakeNodeDriver.key(nodeId, interfaceName))?.addresses;

  it('holds the new server’s push while the old interface is being removed, then pushes it', async () => {
    const old = await serverOn(null, 'wg0', 51820);
    fake.closeGate();
    await deleteServer(old.serverId);
    // The delete wakes the reconciler, which hands the interface to the remover: it waits at the gate.
    await waitFor('the removal under way', () => fake.waiting === 1);

    const created = await app.get(ServersService).create(await admin(), old.nodeId, {
      name: `race-new-${process.pid}-${old.serverId}`,
      location: 'Test',
      interface: 'wg0',
      listen_port: 51820,
      ipv4_subnet: '10.91.200.0/24',
    } as CreateServerDto);
    const fresh = created.server.id;
    ours.add(fresh);
    app.get(Reconciler).wake(fresh);
    // Several of its push attempts (busyRetryMs is 50 ms) while the removal is held.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(fake.appliesTo(old.nodeId).filter((apply) => apply.desired.addresses.includes('10.91.200.1/24'))).toEqual([]);

    fake.openGate();
    await waitFor('the new server pushed', inSync(fresh));
    expect(onNode(old.nodeId, 'wg0')).toEqual(['10.91.200.1/24']);
    const removed = fake.removedAt.get(FakeNodeDriver.key(old.nodeId, 'wg0'))!;
    const firstApply = fake.appliesTo(old.nodeId).find((apply) => apply.desired.addresses.includes('10.91.200.1/24'))!;
    expect(firstApply.startedAt).toBeGreaterThanOrEqual(removed);
  });

  it('leaves the interface alone when a new server took it over after the removals were listed', async () => {
    const first = await serverOn(null, 'wg0', 51820);
    const second = await serverOn(first.nodeId, 'wg1', 51821);
    // Both removals pending at once: the node is down at the deletes.
    fake.failure = { kind: 'unreachable', message: 'connect ECONNREFUSED' };
    await deleteServer(second.serverId);
    await deleteServer(first.serverId);
    for (const serverId of [second.serverId, first.serverId]) {
      await waitFor('the removal pending', async () => (await removalsOf(serverId))[0]?.last_error != null);
    }
    // Every pass those deletes started is over (each failed on the node).
    await app.get(InterfaceRemover).request();

    // One pass lists both (wg1's first, the older); it stops at the gate on wg1.
    fake.closeGate();
    fake.failure = null;
    const pass = app.get(InterfaceRemover).request();
    await waitFor('wg1 being removed', () => fake.waiting === 1);

    // Meanwhile a new server takes wg0 over and is pushed.
    const fresh = await serverOn(first.nodeId, 'wg0', 51820);
    expect(onNode(first.nodeId, 'wg0')).toEqual([fresh.address]);

    fake.openGate();
    await pass;
    expect(onNode(first.nodeId, 'wg1')).toBeUndefined();
    expect(onNode(first.nodeId, 'wg0')).toEqual([fresh.address]);
    expect(fake.removals.filter((key) => key === FakeNodeDriver.key(first.nodeId, 'wg0'))).toEqual([]);
    expect(await removalsOf(first.serverId)).toEqual([]);
    expect(await removalsOf(second.serverId)).toEqual([]);
  });
});
