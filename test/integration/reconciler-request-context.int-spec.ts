import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource } from 'typeorm';
import { FakeNodeDriver, Reconciler, type DesiredServerState, type NodeTarget } from '@wgfleet/node-sync';
import { makeServer } from '../support/fleet-factory.js';
import { startReconcilerApp } from '../support/reconciler-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * A push is usually started by a request's commit, but it is not part of that request: whatever
 * the request keeps in its async context (an idempotency claim marks every transaction it commits)
 * must not follow the push to the node and into its bookkeeping.
 */
const requestContext = new AsyncLocalStorage<string>();

/** A fake node that notes the request context each apply runs in. */
class ContextRecordingDriver extends FakeNodeDriver {
  readonly contexts: Array<string | undefined> = [];

  override async apply(target: NodeTarget, desired: DesiredServerState): Promise<void> {
    this.contexts.push(requestContext.getStore());
    await super.apply(target, desired);
  }
}

const ours = new Set<number>();

describe('the reconciler and the request that woke it', () => {
  const fake = new ContextRecordingDriver();
  let app: TestingModule;

  beforeAll(async () => {
    app = await startReconcilerApp(fake, { intervalMs: 60_000, pollIntervalMs: 60_000, scope: (id) => ours.has(id) });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('pushes outside the async context of the request whose commit woke it', async () => {
    const server = await makeServer(app as unknown as NestFastifyApplication, { ipv4Subnet: '10.92.0.0/24' });
    ours.add(server.serverId);
    requestContext.run('the request', () => app.get(Reconciler).wake(server.serverId));
    await waitFor('pushed', async () => {
      const [row] = await app.get(DataSource).query('SELECT applied_generation = desired_generation AS ok FROM server WHERE id = $1', [server.serverId]);
      return row?.ok === true;
    });
    expect(fake.contexts).toEqual([undefined]);
  });
});
