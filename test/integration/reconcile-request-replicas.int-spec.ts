import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import type { Principal } from '@wgfleet/core';
import { FakeNodeDriver, type ReconcilerOptions } from '@wgfleet/node-sync';
import { PeersService } from '@wgfleet/peers';
import { FleetAccess, ReconcileRequests } from '@wgfleet/servers';
import type { CreateUserDto } from '../../libs/peers/src/peers.dto.js';
import { assign, makeServer } from '../support/fleet-factory.js';
import { startReconcilerApp } from '../support/reconciler-app.js';
import { makeAccount } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The admin's "reconcile now" lands on whichever replica the load balancer picks, an API-only one
 * (RECONCILER_ENABLED=false) too; the replica that pushes must hear it (NOTIFY) and push at once,
 * even while it backs off after a failure.
 */

function startReplica(driver: FakeNodeDriver, options: Partial<ReconcilerOptions>): Promise<TestingModule> {
  return startReconcilerApp(driver, { intervalMs: 60_000, pollIntervalMs: 60_000, ...options });
}

jest.setTimeout(30_000);

it("pushes at once on the admin's reconcile request made on another (API-only) replica, even while backing off", async () => {
  const driver = new FakeNodeDriver();
  driver.failure = { kind: 'unreachable', message: 'no route to host' };
  const ours = new Set<number>();
  // The backoff (a minute) and the periodic pass (a minute) cannot be what pushes within the wait below.
  const pusher = await startReplica(driver, { scope: (id) => ours.has(id), backoff: { initialMs: 60_000, maxMs: 60_000 } });
  const apiOnly = await startReplica(new FakeNodeDriver(), { enabled: false });
  try {
    const asApp = pusher as unknown as NestFastifyApplication;
    const db = pusher.get(DataSource);
    const server = await makeServer(asApp, { ipv4Subnet: '10.21.0.0/24' });
    ours.add(server.serverId);
    const account = await makeAccount(asApp, 'customer');
    const assignmentId = await assign(asApp, server.serverId, account.id);
    const principal: Principal = { accountId: account.id, kind: 'customer', parentId: null, apiKeyId: account.keyId, sourceIp: '127.0.0.1' };
    const context = await apiOnly.get(FleetAccess).resolveAssignment(principal, assignmentId);
    await apiOnly.get(PeersService).create(principal, context, { client_name: 'behind' } as CreateUserDto);

    const sync = async () =>
      (await db.query('SELECT desired_generation::int AS desired, applied_generation::int AS applied, last_error FROM server WHERE id = $1', [server.serverId]))[0] as {
        desired: number;
        applied: number;
        last_error: string | null;
      };
    await waitFor('the failed push recorded', async () => (await sync()).last_error !== null, 15_000);
    driver.failure = null;

    apiOnly.get(ReconcileRequests).request(server.serverId);
    await waitFor('the server in sync', async () => ((s) => s.applied === s.desired && s.last_error === null)(await sync()), 15_000);
    expect(driver.peerKeysOn(server.nodeId, 'wg0')).toHaveLength(1);
  } finally {
    await apiOnly.close();
    await pusher.close();
  }
});
