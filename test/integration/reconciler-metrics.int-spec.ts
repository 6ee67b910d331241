import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';
import type { Principal } from '@wgfleet/core';
import { MetricsExposition } from '@wgfleet/metrics';
import { FakeNodeDriver, StatusPoller, type ReconcilerOptions } from '@wgfleet/node-sync';
import { PeersService } from '@wgfleet/peers';
import { FleetAccess } from '@wgfleet/servers';
import type { CreateUserDto } from '../../libs/peers/src/peers.dto.js';
import { assign, makeServer } from '../support/fleet-factory.js';
import { parseExposition, sampleValue, type Sample } from '../support/metrics-text.js';
import { startReconcilerApp } from '../support/reconciler-app.js';
import { makeAccount } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The reconciler's series on a fake node driver: pushes, their duration and failures by reason,
 * generations behind per server, node reachability and peers online, as a scrape shows them.
 * Parallel test files share the database: this reconciler only pushes the servers made here.
 */

jest.setTimeout(30_000);

const ours = new Set<number>();
const FAST: Partial<ReconcilerOptions> = {
  intervalMs: 60_000,
  pollIntervalMs: 60_000, // polled by the test itself
  backoff: { initialMs: 50, maxMs: 200 },
  busyRetryMs: 50,
  scope: (serverId) => ours.has(serverId),
};

describe('reconciler metrics', () => {
  const fake = new FakeNodeDriver();
  let app: TestingModule;
  let asApp: NestFastifyApplication;

  beforeAll(async () => {
    app = await startReconcilerApp(fake, FAST);
    asApp = app as unknown as NestFastifyApplication;
  });
  afterAll(async () => {
    await app?.close();
  });

  const scrape = async (): Promise<Sample[]> => parseExposition(await app.get(MetricsExposition).render());
  const value = async (name: string, labels: Record<string, string | number>) => sampleValue(await scrape(), name, labels);

  it('counts failed pushes by reason and generations behind, then the applied push that catches up', async () => {
    const server = await makeServer(asApp, { ipv4Subnet: '10.31.0.0/24' });
    ours.add(server.serverId);
    const account = await makeAccount(asApp, 'customer');
    const assignmentId = await assign(asApp, server.serverId, account.id);
    const principal: Principal = { accountId: account.id, kind: 'customer', parentId: null, apiKeyId: account.keyId, sourceIp: '127.0.0.1' };
    const before = await scrape();
    expect(sampleValue(before, 'wgfleet_reconciler_pushes_total', { outcome: 'applied' })).toBe(0);
    expect(sampleValue(before, 'wgfleet_reconciler_pushes_total', { outcome: 'failed' })).toBe(0);

    // The node is down: the create is pushed, fails, and the server stays behind.
    fake.failure = { kind: 'unreachable', message: 'connect ETIMEDOUT' };
    const context = await app.get(FleetAccess).resolveAssignment(principal, assignmentId);
    const { user } = await app.get(PeersService).create(principal, context, { client_name: 'metered' } as CreateUserDto);
    await waitFor('a failed push counted', async () => ((await value('wgfleet_reconciler_push_failures_total', { reason: 'node_unreachable' })) ?? 0) >= 1);
    const failed = await scrape();
    expect(sampleValue(failed, 'wgfleet_reconciler_pushes_total', { outcome: 'failed' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(failed, 'wgfleet_reconciler_push_duration_seconds_count', { outcome: 'failed' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(failed, 'wgfleet_reconciler_pushes_total', { outcome: 'applied' })).toBe(0);
    expect(sampleValue(failed, 'wgfleet_server_generations_behind', { server_id: server.serverId })).toBeGreaterThanOrEqual(1);
    const node = { node_id: server.nodeId };
    await waitFor('the node recorded unreachable', async () => (await scrape()).some((s) => s.name === 'wgfleet_node_reachable' && s.labels.node_id === String(server.nodeId) && s.value === 0));

    // The node is back: the backoff retry applies and the server catches up.
    fake.failure = null;
    await waitFor('the server in sync', async () => (await value('wgfleet_server_generations_behind', { server_id: server.serverId })) === 0);
    const applied = await scrape();
    expect(sampleValue(applied, 'wgfleet_reconciler_pushes_total', { outcome: 'applied' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(applied, 'wgfleet_reconciler_push_duration_seconds_count', { outcome: 'applied' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(applied, 'wgfleet_reconciler_push_duration_seconds_bucket', { outcome: 'applied', le: '+Inf' })).toBe(
      sampleValue(applied, 'wgfleet_reconciler_push_duration_seconds_count', { outcome: 'applied' }),
    );
    expect(applied.find((s) => s.name === 'wgfleet_node_reachable' && s.labels.node_id === String(node.node_id))?.value).toBe(1);

    // Peers online follow the status poller's latest view.
    expect(sampleValue(applied, 'wgfleet_peers_online', { server_id: server.serverId })).toBe(0);
    fake.traffic.set(user.publicKey, { rx: 10, tx: 20, handshakeAt: Math.floor(Date.now() / 1000) - 5, endpoint: '198.18.9.9:51000' });
    await app.get(StatusPoller).pollOne(server.serverId, fake.appliesTo(server.nodeId).at(-1)!.target, 'wg0');
    expect(await value('wgfleet_peers_online', { server_id: server.serverId })).toBe(1);
  });
});
