import { existsSync } from 'node:fs';
import { parseWgDump } from '@wgfleet/wireguard';
import { isAlive } from '../support/api-process.js';
import { nodeOutput, waitFor } from './api-lab.js';
import { LabApi } from './api-process-lab.js';
import { Lab, type LabNode } from './lab.js';
import { createCustomer, labServerFor, serverSync } from './lab-fleet.js';
import { fireCreates, type CreateOutcome } from './create-burst.js';

/**
 * `kill -9` of the API in the middle of a burst of user creates, then a restart on the same data:
 * Postgres is the truth, so every user that got a 201 must end up on the node, and the node must
 * hold no peer that Postgres does not. The API runs as the README starts it, on its own embedded
 * PostgreSQL; the kill leaves that PostgreSQL running as an orphan, and the restart must find it
 * through postmaster.pid and reuse it.
 */

jest.setTimeout(240_000);

const IFNAME = 'wg0';
const LISTEN_PORT = 51820;
const BURST = 200;
const IN_FLIGHT = 20;
const KILL_AFTER_RESPONSES = 60;

describe('lab: kill -9 of the API during a burst of creates, then a restart', () => {
  const timings: Record<string, number> = {};
  let lab: Lab | undefined;
  let node: LabNode;
  let api: LabApi | undefined;
  let customer: { id: number; key: string };
  let serverId: number;
  let assignmentId: number;
  let outcomes: CreateOutcome[] = [];
  let postgresPidBeforeKill: number | null = null;

  const admin = () => api!.as(api!.adminKey);
  const nodeOut = (argv: string[]) => nodeOutput((a) => node.exec(a), 'the node', argv);
  const nodePeers = async () => parseWgDump(await nodeOut(['wg', 'show', IFNAME, 'dump'])).peers.map((p) => p.publicKey);

  /** Every user of the assignment, as Postgres holds them, read page by page through the customer API. */
  async function usersInPostgres(): Promise<Array<{ public_key: string; provisioning: { state: string } }>> {
    const users: Array<{ public_key: string; provisioning: { state: string } }> = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
      const res = await api!.as(customer.key).get(`/api/wg/servers/${assignmentId}/users${query}`).expect(200);
      users.push(...res.body.users);
      cursor = res.body.next_cursor;
      if (!cursor) return users;
    }
    throw new Error('more than 20 pages of users');
  }

  beforeAll(async () => {
    lab = await Lab.create({ nodes: 1, clientsPerNode: 0, internet: false });
    node = lab.nodes[0]!;
    const started = Date.now();
    api = await LabApi.start({ reconcileIntervalMs: 5_000, pollIntervalMs: 5_000 });
    timings.apiStartAndBootstrapAdmin = Date.now() - started;
    customer = await createCustomer(admin(), `crash-${lab.id}`);
  });

  afterAll(async () => {
    if (Object.keys(timings).length > 0) console.log(`crash lab timings, ms: ${JSON.stringify(timings)}`);
    try {
      await api?.destroy();
    } finally {
      await lab?.destroy();
    }
  });

  it('setup: one SSH node, one server, assigned to a customer with room for the burst; the server in sync', async () => {
    ({ serverId, assignmentId } = await labServerFor(admin(), lab!.id, node, {
      purpose: 'crash',
      customerId: customer.id,
      maxUsers: BURST,
      interfaceName: IFNAME,
      listenPort: LISTEN_PORT,
    }));
    expect(await nodePeers()).toEqual([]);
  });

  it(`kill -9 after ${KILL_AFTER_RESPONSES} of ${BURST} concurrent creates: the PostgreSQL survives as an orphan`, async () => {
    postgresPidBeforeKill = await api!.postmasterPidOnDisk();
    expect(postgresPidBeforeKill).toBe(api!.postgresPid);
    const apiPid = api!.current.pid;
    const started = Date.now();
    outcomes = await fireCreates({
      url: `${api!.url}/api/wg/servers/${assignmentId}/users`,
      key: customer.key,
      count: BURST,
      inFlight: IN_FLIGHT,
      clientName: (i) => `burst-${i}`,
      // Synchronous inside the response handler: the kill lands while the other requests are in flight.
      afterResponses: KILL_AFTER_RESPONSES,
      onThreshold: () => process.kill(apiPid, 'SIGKILL'),
    });
    timings.burstUntilKilled = Date.now() - started;
    await api!.current.exit(10_000);
    expect(isAlive(apiPid)).toBe(false);

    const created = outcomes.filter((o) => o.status === 201);
    const otherStatuses = outcomes.filter((o) => o.status !== null && o.status !== 201);
    const failed = outcomes.filter((o) => o.status === null);
    console.log(
      `crash: ${outcomes.length} sent, ${created.length} got 201, ${otherStatuses.length} other statuses, ${failed.length} cut by the kill; ` +
        `peers on the node at the kill: ${(await nodePeers()).length}`,
    );
    expect(otherStatuses.map((o) => `${o.index}: ${o.status}`)).toEqual([]);
    expect(created.length).toBeGreaterThanOrEqual(KILL_AFTER_RESPONSES);
    // The kill was mid-burst: requests were cut, and the rest were never sent.
    expect(failed.length).toBeGreaterThan(0);
    expect(outcomes.length).toBeLessThan(BURST);
    for (const o of created) expect(o.publicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);

    // No shutdown hook ran: the cluster the API started is still running, on its own.
    expect(api!.isPostgresAlive()).toBe(true);
    expect(await api!.postmasterPidOnDisk()).toBe(postgresPidBeforeKill);
  });

  it('a restart reuses the orphaned PostgreSQL and brings the server in sync without a request', async () => {
    const started = Date.now();
    await api!.startProcess();
    timings.restartToListening = Date.now() - started;
    expect(api!.current.output()).toContain('embedded PostgreSQL reused');
    expect(await api!.postmasterPidOnDisk()).toBe(postgresPidBeforeKill);

    // Only GETs from here on: the start's full pass alone must converge the node.
    await waitFor(
      'the server in sync and every user active',
      async () => {
        const sync = await serverSync(admin(), serverId);
        if (sync.state !== 'in_sync') return null;
        const users = await usersInPostgres();
        return users.every((u) => u.provisioning.state === 'active');
      },
      60_000,
      250,
    );
    timings.restartToConverged = Date.now() - started;
  });

  it('every 201 is on the node, every peer on the node is in Postgres, and every user is active', async () => {
    const users = await usersInPostgres();
    const inPostgres = new Set(users.map((u) => u.public_key));
    const onNode = await nodePeers();
    const got201 = outcomes.filter((o) => o.status === 201).map((o) => o.publicKey!);
    console.log(`crash: ${got201.length} users got 201; Postgres holds ${inPostgres.size}; the node has ${onNode.length} peers`);

    expect(got201.filter((key) => !onNode.includes(key))).toEqual([]);
    expect(got201.filter((key) => !inPostgres.has(key))).toEqual([]);
    expect(onNode.filter((key) => !inPostgres.has(key))).toEqual([]);
    expect(new Set(onNode).size).toBe(onNode.length);
    expect(users.filter((u) => u.provisioning.state !== 'active')).toEqual([]);
    // Postgres holds no more than was asked for: at most the requests sent (a cut one may have committed).
    expect(users.length).toBeLessThanOrEqual(outcomes.length);
    expect(users.length).toBeGreaterThanOrEqual(got201.length);
  });

  it('leaves nothing behind: the API, the orphaned PostgreSQL (by its pid), DATA_DIR and the lab', async () => {
    const postgresPid = api!.postgresPid;
    expect(postgresPid).toBe(postgresPidBeforeKill);
    // The restarted API reused the cluster, so its SIGTERM leaves it running: destroy stops it by pid.
    expect(await api!.stop()).toBe(0);
    expect(api!.isPostgresAlive()).toBe(true);
    expect(await api!.destroy()).toEqual([]);
    expect(api!.isPostgresAlive()).toBe(false);
    expect(existsSync(api!.dataDir)).toBe(false);
    await lab!.destroy();
    expect(await lab!.leftovers()).toEqual([]);
  });
});
