import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DesiredStateReader } from '@wgfleet/node-sync';
import { PeerJobClock, PeerJobRunner } from '@wgfleet/wgdashboard';
import { generateKeyPair } from '@wgfleet/wireguard';
import { formatLocalDateTime } from '../../libs/wgdashboard/src/python-time.js';
import { PEER_JOBS_LOCK } from '../../libs/wgdashboard/src/peer-jobs/pass-lock.js';
import { makeServer, type TestServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';
import { replayFixture, wgdFixture } from '../support/wgd-fixtures.js';

const GIB = 1024 ** 3;

/**
 * Peer schedule jobs (notes §2.38-2.40, §1.8.5-1.8.6): the real 4.2.5's recorded answers replayed
 * with the clock set to the recording's instant, our checks where upstream has none, and the
 * scheduler for real: poller traffic past a quota restricts the peer, a date deletes one.
 */
describe('WGDashboard API: peer schedule jobs', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let server: TestServer;
  let key: string;
  let admin: { id: number; key: string };
  let db: DataSource;
  let now: Date;

  const PEER_A = 'ivlShmfxape8YAyZWIEaxhr+Lq2qYhd0+S+AkPeF1So=';
  const JOB_ID = '11111111-2222-4333-8444-555555555555';
  // The recording's instant: CreationDate "2026-11-23 22:40:20" (UTC).
  const RECORDED_AT = new Date(Date.UTC(2026, 10, 23, 22, 40, 20));

  const wgd = (method: 'get' | 'post', path: string, withKey = key) => request(http)[method](path).set('wg-dashboard-apikey', withKey);
  const replay = (name: string) => replayFixture(http, name, key);
  const expectRecorded = (name: string, res: request.Response) => {
    const fixture = wgdFixture(name);
    expect({ status: res.status, body: res.text }).toEqual({ status: fixture.status, body: fixture.body });
  };
  const job = (overrides: Record<string, unknown>) => ({
    JobID: JOB_ID,
    Configuration: 'wg0',
    Peer: PEER_A,
    Field: 'total_data',
    Operator: 'lgt',
    Value: '100',
    CreationDate: '',
    ExpireDate: null,
    Action: 'restrict',
    ...overrides,
  });
  const save = (fields: Record<string, unknown>) => wgd('post', '/api/savePeerScheduleJob').send({ Job: job(fields) });
  const addPeer = async (publicKey: string, address: string) => {
    const res = await wgd('post', '/api/addPeers/wg0').send({ name: `peer ${address}`, public_key: publicKey, allowed_ips: [`${address}/32`] }).expect(200);
    expect(res.body.status).toBe(true);
    const [row] = await db.query('SELECT id FROM wg_user WHERE server_id = $1 AND public_key = $2', [server.serverId, publicKey]);
    return Number(row.id);
  };
  const logs = async () => (await wgd('get', '/api/getPeerScheduleJobLogs/wg0').expect(200)).body.data as Array<{ JobID: string; Message: string; Status: string; LogDate: string }>;
  const logsOf = async (jobId: string) => (await logs()).filter((line) => line.JobID === jobId);
  const peerObject = async (publicKey: string) => {
    const info = (await wgd('get', '/api/getWireguardConfigurationInfo?configurationName=wg0').expect(200)).body.data;
    return [...info.configurationPeers, ...info.configurationRestrictedPeers].find((peer: { id: string }) => peer.id === publicKey);
  };
  const jobRow = async (jobId: string) => (await db.query('SELECT expire_date FROM wgd_peer_job WHERE node_id = $1 AND job_id = $2', [server.nodeId, jobId]))[0];
  const userRow = async (userId: number) => (await db.query('SELECT restricted_at FROM wg_user WHERE id = $1', [userId]))[0];
  const desiredPeers = async () => (await app.get(DesiredStateReader).read(server.serverId))!.desired.peersConfig;
  /** What the poller records for a peer: `rx` bytes received in all, `rxRaw` of them in this run of the interface. */
  const traffic = (userId: number, rx: number, rxRaw: number) =>
    db.query(
      `INSERT INTO peer_status (user_id, server_id, latest_handshake_at, rx_total, tx_total, rx_last_raw, tx_last_raw) VALUES ($1, $2, now(), $3, 0, $4, 0)
       ON CONFLICT (user_id) DO UPDATE SET rx_total = EXCLUDED.rx_total, rx_last_raw = EXCLUDED.rx_last_raw`,
      [userId, server.serverId, rx, rxRaw],
    );
  const runPass = () => app.get(PeerJobRunner).runOnce();

  beforeAll(async () => {
    app = await startTestApp();
    http = app.getHttpServer();
    db = app.get(DataSource);
    admin = await makeAccount(app, 'admin');
    server = await makeServer(app, { ipv4Subnet: '10.66.9.0/24', ipv6Subnet: null });
    key = (await request(http).post(`/api/admin/nodes/${server.nodeId}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
    now = RECORDED_AT;
    // Our own port: the jobs' clock reads what the test says.
    jest.spyOn(app.get(PeerJobClock), 'now').mockImplementation(() => now);
    await addPeer(PEER_A, '10.66.9.2');
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await app.close();
  });

  describe('save, update, delete, logs: upstream’s answers', () => {
    it.each(['savePeerScheduleJob-missing-job', 'savePeerScheduleJob-missing-peer', 'savePeerScheduleJob-unknown-config', 'savePeerScheduleJob-unknown-peer', 'getPeerScheduleJobLogs-unknown-config'])(
      'refuses as upstream: %s',
      async (name) => {
        expectRecorded(name, await replay(name));
      },
    );

    it('creates, updates, lists on the peer, deletes and refuses the deleted id again, logging as upstream', async () => {
      expectRecorded('savePeerScheduleJob-wg0-peer-a', await replay('savePeerScheduleJob-wg0-peer-a'));
      expect((await peerObject(PEER_A)).jobs).toEqual([
        { Action: 'restrict', Configuration: 'wg0', CreationDate: '2026-11-23 22:40:20', ExpireDate: null, Field: 'total_data', JobID: JOB_ID, Operator: 'lgt', Peer: PEER_A, Value: '100' },
      ]);
      expectRecorded('savePeerScheduleJob-wg0-peer-a-update', await replay('savePeerScheduleJob-wg0-peer-a-update'));

      // The peer object carries the active job exactly as the recorded one did.
      const recordedJobs = /"jobs":\[\{"Action"[^\]]*\]/.exec(wgdFixture('getWireguardConfigurationInfo-wg0-job').body)![0];
      const info = await wgd('get', '/api/getWireguardConfigurationInfo?configurationName=wg0').expect(200);
      expect(info.text).toContain(recordedJobs);

      // The logs as recorded, with our log ids and this machine's local time.
      const recordedLogs = wgdFixture('getPeerScheduleJobLogs-wg0').body;
      const res = await wgd('get', '/api/getPeerScheduleJobLogs/wg0').expect(200);
      const ids = (JSON.parse(res.text).data as Array<{ LogID: string }>).map((line) => line.LogID);
      expect(ids).toHaveLength(2);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(res.text).toBe(
        recordedLogs
          .replace('591a00ae-bb7f-423c-a4b5-fb68e53e3e75', ids[0]!)
          .replace('d3bd2d20-23bd-4943-a117-c77596f9c71e', ids[1]!)
          .replaceAll('2026-11-23 22:40:20', formatLocalDateTime(RECORDED_AT)),
      );

      expectRecorded('deletePeerScheduleJob-no-creation-date', await replay('deletePeerScheduleJob-no-creation-date'));
      expect((await jobRow(JOB_ID)).expire_date).toBeNull();
      now = new Date(RECORDED_AT.getTime() + 5_000);
      expectRecorded('deletePeerScheduleJob-wg0-peer-a', await replay('deletePeerScheduleJob-wg0-peer-a'));
      expect((await jobRow(JOB_ID)).expire_date).toBe('2026-11-23 22:40:25');
      expect((await peerObject(PEER_A)).jobs).toEqual([]);
      expectRecorded('savePeerScheduleJob-wg0-reuse-deleted-id', await replay('savePeerScheduleJob-wg0-reuse-deleted-id'));

      // Newest first; lines of the same second in the order they were written.
      expect((await logsOf(JOB_ID)).map((line) => [line.Message, line.Status])).toEqual([
        ['Job is removed due to being deleted or finshed.', '1'],
        ['Job is created if total_data lgt 100 then restrict', '1'],
        ['Job is updated from if total_data lgt 100 then restrict; to if total_data lgt 200 then restrict', '1'],
      ]);
      now = RECORDED_AT;
    });

    it('updates a job of another peer by its id as upstream does, and then lists it only on its own peer', async () => {
      const other = generateKeyPair().publicKey;
      await addPeer(other, '10.66.9.3');
      const id = 'cross-peer-job';
      expect((await save({ JobID: id, Peer: other, Value: '5' }).expect(200)).body.data).toHaveLength(1);
      const res = await save({ JobID: id, Peer: PEER_A, Value: '6' }).expect(200);
      expect(res.text).toBe('{"data":[],"message":null,"status":true}\n');
      expect((await peerObject(other)).jobs).toMatchObject([{ JobID: id, Value: '6', Peer: other }]);
      expect((await peerObject(PEER_A)).jobs).toEqual([]);
      await wgd('post', '/api/deletePeerScheduleJob').send({ Job: job({ JobID: id, Peer: other, CreationDate: 'x' }) }).expect(200);
    });

    it('lists a peer’s active jobs oldest first, a JSON number Value as the text upstream stores', async () => {
      const publicKey = generateKeyPair().publicKey;
      await addPeer(publicKey, '10.66.9.4');
      await save({ JobID: 'second-by-name', Peer: publicKey, Value: 2.5 }).expect(200);
      const first = await save({ JobID: 'a-later-one', Peer: publicKey, Field: 'date', Value: '2027-01-01 00:00:00', Action: 'delete', Value2: 'ignored' }).expect(200);
      expect(first.body.data[0]).toMatchObject({ JobID: 'a-later-one', Value: '2027-01-01 00:00:00', Action: 'delete' });
      expect((await peerObject(publicKey)).jobs.map((each: { JobID: string; Value: string }) => [each.JobID, each.Value])).toEqual([
        ['second-by-name', '2.5'],
        ['a-later-one', '2027-01-01 00:00:00'],
      ]);
      for (const JobID of ['second-by-name', 'a-later-one']) await wgd('post', '/api/deletePeerScheduleJob').send({ Job: job({ JobID, Peer: publicKey, CreationDate: 'x' }) }).expect(200);
      expect((await peerObject(publicKey)).jobs).toEqual([]);
    });

    it('deleting an id the node never had answers as upstream and logs nothing', async () => {
      const res = await wgd('post', '/api/deletePeerScheduleJob').send({ Job: job({ JobID: 'never-saved', CreationDate: '2026-01-01 00:00:00' }) }).expect(200);
      expect(res.text).toBe('{"data":[],"message":null,"status":true}\n');
      expect(await logsOf('never-saved')).toEqual([]);
    });
  });

  describe('what upstream does not check', () => {
    it.each([
      [{ Field: 'total_bytes' }, 'Field must be one of total_receive, total_sent, total_data, date'],
      [{ Operator: '>' }, 'Operator must be one of eq, neq, lgt, lst'],
      [{ Value: '100GB' }, 'Value must be a number of GB when Field is total_data'],
      [{ Value: 'nan' }, 'Value must be a number of GB when Field is total_data'],
      [{ Field: 'date', Value: '31/12/2026' }, 'Value must be a date and time as YYYY-MM-DD HH:MM:SS when Field is date'],
      [{ Action: 'reset' }, 'Action must be one of restrict, delete'],
      [{ JobID: 42 }, 'JobID must be a text of 1 to 255 characters'],
    ])('refuses %j with a message that says what to send (upstream’s scheduler thread would die on it)', async (fields, message) => {
      const res = await save({ ...fields, JobID: 'JobID' in fields ? fields.JobID : `bad-${Object.keys(fields).join('-')}` }).expect(200);
      expect(res.text).toBe(`{"data":null,"message":"${message}","status":false}\n`);
    });

    it('answers 400 naming the missing keys where upstream crashes (500), after its own checks', async () => {
      const res = await wgd('post', '/api/savePeerScheduleJob').send({ Job: { Configuration: 'wg0', Peer: PEER_A, Field: 'date' } }).expect(400);
      expect(res.text).toBe('{"data":null,"message":"Please provide JobID, Operator, Value, CreationDate, ExpireDate, Action in Job","status":false}\n');
      const deletion = await wgd('post', '/api/deletePeerScheduleJob').send({ Job: { Configuration: 'wg0', Peer: PEER_A, JobID: 'x' } }).expect(400);
      expect(deletion.body.message).toBe('Please provide Field, Operator, Value, CreationDate, ExpireDate, Action in Job');
      // Upstream's own answers come first.
      expect((await wgd('post', '/api/savePeerScheduleJob').send({ Job: { Configuration: 'nope', Peer: PEER_A } }).expect(200)).body.message).toBe('Configuration does not exist');
    });

    it.each([null, [], 'job'])('answers 400 when Job is %j (upstream: a 500)', async (value) => {
      const res = await wgd('post', '/api/savePeerScheduleJob').send({ Job: value }).expect(400);
      expect(res.body.message).toBe('Please provide Job as an object with JobID, Configuration, Peer, Field, Operator, Value, CreationDate, ExpireDate, Action');
    });

    it('keeps one node’s configurations, peers and ids apart from another’s', async () => {
      const otherServer = await makeServer(app, { ipv4Subnet: '10.66.10.0/24', ipv6Subnet: null });
      const otherKey = (await request(http).post(`/api/admin/nodes/${otherServer.nodeId}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
      // The other node's wg0 does not hold PEER_A.
      const res = await wgd('post', '/api/savePeerScheduleJob', otherKey).send({ Job: job({ JobID: 'elsewhere' }) }).expect(200);
      expect(res.body.message).toBe('Peer does not exist');
      expect((await wgd('get', '/api/getPeerScheduleJobLogs/wg0', otherKey).expect(200)).text).toBe('{"data":[],"message":null,"status":true}\n');
      // A deleted id of this node is free on another node (each node is one upstream instance).
      const otherPeer = generateKeyPair().publicKey;
      await wgd('post', '/api/addPeers/wg0', otherKey).send({ public_key: otherPeer, allowed_ips: ['10.66.10.2/32'] }).expect(200);
      const reused = await wgd('post', '/api/savePeerScheduleJob', otherKey).send({ Job: job({ Peer: otherPeer, Value: '1000' }) }).expect(200);
      expect(reused.body.status).toBe(true);
      await wgd('post', '/api/deletePeerScheduleJob', otherKey).send({ Job: job({ Peer: otherPeer, CreationDate: 'x' }) }).expect(200);
    });
  });

  describe('the scheduler', () => {
    it('restricts a peer once its data passes the quota: off the node’s desired state, the job expired, the logs written', async () => {
      const publicKey = generateKeyPair().publicKey;
      const userId = await addPeer(publicKey, '10.66.9.10');
      const id = 'quota-restrict';
      await save({ JobID: id, Peer: publicKey, Field: 'total_receive', Operator: 'lgt', Value: '1' }).expect(200);

      await traffic(userId, 0.5 * GIB, 0.5 * GIB);
      const quiet = await runPass();
      expect(quiet).toMatchObject({ acted: 0 });
      expect((await userRow(userId)).restricted_at).toBeNull();
      expect((await jobRow(id)).expire_date).toBeNull();

      // 1.5 GiB received: 1 GiB in this run of the interface, 0.5 GiB before a restart (cumu_receive).
      await traffic(userId, 1.5 * GIB, 1 * GIB);
      expect(await desiredPeers()).toContain(publicKey);
      now = new Date(RECORDED_AT.getTime() + 60_000);
      const pass = await runPass();
      expect(pass).toMatchObject({ acted: 1 });

      expect((await userRow(userId)).restricted_at).not.toBeNull();
      expect(await desiredPeers()).not.toContain(publicKey);
      expect((await jobRow(id)).expire_date).toBe('2026-11-23 22:41:20');
      expect((await peerObject(publicKey)).jobs).toEqual([]);
      expect((await logsOf(id)).map((line) => [line.Message, line.Status, line.LogDate])).toEqual([
        [`Peer ${publicKey} from wg0 is successfully restricted.`, '1', formatLocalDateTime(now)],
        ['Job is removed due to being deleted or finshed.', '1', formatLocalDateTime(now)],
        ['Job is created if total_receive lgt 1 then restrict', '1', formatLocalDateTime(RECORDED_AT)],
      ]);

      // Done once: the next pass leaves it alone.
      await runPass();
      expect(await logsOf(id)).toHaveLength(3);
      now = RECORDED_AT;
    });

    it('deletes a peer when its date comes, and the configuration keeps the job’s logs', async () => {
      const publicKey = generateKeyPair().publicKey;
      const userId = await addPeer(publicKey, '10.66.9.11');
      const id = 'date-delete';
      await save({ JobID: id, Peer: publicKey, Field: 'date', Operator: 'lgt', Value: '2026-12-01 00:00:00', Action: 'delete' }).expect(200);

      now = new Date(2026, 10, 30, 23, 59, 59);
      await runPass();
      expect(await userRow(userId)).toBeDefined();

      now = new Date(2026, 11, 1, 0, 0, 1);
      await runPass();
      expect(await userRow(userId)).toBeUndefined();
      expect(await desiredPeers()).not.toContain(publicKey);
      expect((await logsOf(id)).map((line) => [line.Message, line.Status])).toEqual([
        [`Peer ${publicKey} from wg0 is successfully deleteed.`, '1'],
        ['Job is removed due to being deleted or finshed.', '1'],
        ['Job is created if date lgt 2026-12-01 00:00:00 then delete', '1'],
      ]);
      now = RECORDED_AT;
    });

    it('logs upstream’s "can’t find" on every pass for a restricted peer, and keeps the job until the peer is allowed', async () => {
      const publicKey = generateKeyPair().publicKey;
      const userId = await addPeer(publicKey, '10.66.9.12');
      const id = 'restricted-peer';
      await save({ JobID: id, Peer: publicKey, Value: '0', Action: 'delete' }).expect(200);
      await wgd('post', '/api/restrictPeers/wg0').send({ peers: [publicKey] }).expect(200);

      await runPass();
      expect(await userRow(userId)).toBeDefined();
      expect((await jobRow(id)).expire_date).toBeNull();
      expect(await logsOf(id)).toContainEqual(expect.objectContaining({ Message: `Somehow can't find this peer ${publicKey} from wg0 failed deleteed.`, Status: '0' }));
      await runPass();
      expect((await logsOf(id)).filter((line) => line.Message.startsWith('Somehow'))).toHaveLength(2);

      await wgd('post', '/api/allowAccessPeers/wg0').send({ peers: [publicKey] }).expect(200);
      await traffic(userId, 1, 1);
      await runPass();
      expect(await userRow(userId)).toBeUndefined();
      expect((await logsOf(id)).map((line) => line.Message)).toContain(`Peer ${publicKey} from wg0 is successfully deleteed.`);
    });

    it('runs once across replicas: while another session holds the pass lock, this one skips', async () => {
      const publicKey = generateKeyPair().publicKey;
      const userId = await addPeer(publicKey, '10.66.9.13');
      await save({ JobID: 'locked-out', Peer: publicKey, Field: 'total_data', Operator: 'lgt', Value: '0' }).expect(200);
      await traffic(userId, GIB, GIB);

      const other = new Client({ connectionString: (db.options as { url: string }).url });
      await other.connect();
      try {
        await other.query('SELECT pg_advisory_lock($1::int, $2::int)', [...PEER_JOBS_LOCK]);
        expect(await runPass()).toBe('busy');
        expect((await userRow(userId)).restricted_at).toBeNull();
      } finally {
        await other.end();
      }
      expect(await runPass()).toMatchObject({ acted: 1 });
      expect((await userRow(userId)).restricted_at).not.toBeNull();
    });
  });
});
