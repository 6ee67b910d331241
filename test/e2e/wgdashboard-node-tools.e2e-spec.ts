import { createServer, type Server } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createLogger, loadConfig, PinoNestLogger } from '@wgfleet/core';
import { FakeNodeDriver } from '@wgfleet/node-sync';
import { AppModule } from '../../apps/api/src/app.module.js';
import { configureApp } from '../../apps/api/src/configure-app.js';
import { migratedDatabaseUrl } from '../setup/test-database.js';
import { bearer, makeAccount, startTestApp, TEST_MASTER_KEY } from '../support/test-app.js';
import { wgdFixture } from '../support/wgd-fixtures.js';
import { ed25519KeyPair } from '../support/ssh-keys.js';

/**
 * ping/execute, traceroute/execute and systemStatus (notes §2.42, §2.43, §2.52) run on the key's node.
 * The test app's nodes are made-up rows: nothing here runs a command on this machine. The real drivers
 * meet only input refused before any node is asked, and an SSH node whose "sshd" hangs up at once; the
 * answers built from a node's output come from an app on the fake node driver.
 */

let seq = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now()}-${++seq}`;
const envelope = (data: unknown, message: string | null, status: boolean) => `{"data":${JSON.stringify(data)},"message":${JSON.stringify(message)},"status":${status}}\n`;

async function keyForNewLocalNode(app: NestFastifyApplication, adminKey: string): Promise<{ nodeId: number; key: string }> {
  const [node] = await app.get(DataSource).query(`INSERT INTO node (name, transport, public_ipv4) VALUES ($1, 'local', '198.51.100.36') RETURNING id`, [unique('wgd-tools')]);
  const key = (await request(app.getHttpServer()).post(`/api/admin/nodes/${node.id}/wgdashboard-keys`).set(bearer(adminKey)).send({}).expect(201)).body.key as string;
  return { nodeId: Number(node.id), key };
}

/** The whole app as createApp builds it, with the given node driver bound in place of the real ones. */
async function startAppOnFakeNodes(driver: FakeNodeDriver): Promise<NestFastifyApplication> {
  const logger = createLogger('silent');
  const config = loadConfig({ LOG_LEVEL: 'silent', RECONCILER_ENABLED: 'false' });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, databaseUrl: await migratedDatabaseUrl(), masterKey: TEST_MASTER_KEY, nodeDriver: driver }),
    new FastifyAdapter(),
    { logger: new PinoNestLogger(logger), abortOnError: false, bodyParser: false },
  );
  configureApp(app, logger);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe('WGDashboard API: node tools with the real drivers (refusals and an unreachable node)', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let admin: { id: number; key: string };
  let localKey: string;
  let hangUp: Server;

  beforeAll(async () => {
    app = await startTestApp();
    http = app.getHttpServer();
    admin = await makeAccount(app, 'admin');
    localKey = (await keyForNewLocalNode(app, admin.key)).key;
    // An "sshd" that closes every connection before its banner: the node cannot be reached.
    hangUp = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await app.close();
    await new Promise((resolve) => hangUp.close(resolve));
  });

  const get = (path: string, key: string | null) => {
    const call = request(http).get(path);
    return key === null ? call : call.set('wg-dashboard-apikey', key);
  };

  it.each(['/api/ping/execute?ipAddress=127.0.0.1&count=1', '/api/traceroute/execute?ipAddress=127.0.0.1', '/api/systemStatus'])(
    '%s needs a key, and a known one',
    async (path) => {
      const none = await get(path, null);
      expect([none.status, none.text]).toEqual([401, envelope(null, 'Unauthorized access.', false)]);
      const wrong = await get(path, 'not-a-key');
      expect([wrong.status, wrong.text]).toEqual([401, envelope(null, 'API Key does not exist', false)]);
    },
  );

  it.each([
    ['ping-execute-missing'],
    ['ping-execute-bad-count'],
    ['traceroute-execute-missing'],
  ])('answers %s as the real 4.2.5 did', async (name) => {
    const fixture = wgdFixture(name);
    const res = await get(fixture.request.path, localKey);
    expect([res.status, res.headers['content-type'], res.text]).toEqual([fixture.status, 'application/json', fixture.body]);
  });

  it.each([
    ['/api/ping/execute?ipAddress=&count=1', 200, 'Please specify an IP Address (v4/v6)'],
    ['/api/ping/execute?count=1', 200, 'Please provide ipAddress and count'],
    ['/api/ping/execute?ipAddress=127.0.0.1&count=0', 200, 'Please specify a count from 1 to 10'],
    ['/api/ping/execute?ipAddress=127.0.0.1&count=100', 200, 'Please specify a count from 1 to 10'],
    ['/api/traceroute/execute?ipAddress=', 200, 'Please provide ipAddress'],
    [`/api/ping/execute?ipAddress=${encodeURIComponent('-f')}&count=1`, 400, 'Please specify an IP Address (v4/v6) or a host name (letters, digits, dots and hyphens)'],
    [`/api/ping/execute?ipAddress=${encodeURIComponent('127.0.0.1; reboot')}&count=1`, 400, 'Please specify an IP Address (v4/v6) or a host name (letters, digits, dots and hyphens)'],
    [`/api/traceroute/execute?ipAddress=${encodeURIComponent('$(id)')}`, 400, 'Please specify an IP Address (v4/v6) or a host name (letters, digits, dots and hyphens)'],
    [`/api/traceroute/execute?ipAddress=${'a'.repeat(300)}`, 400, 'Please specify an IP Address (v4/v6) or a host name (letters, digits, dots and hyphens)'],
  ])('refuses %s before asking the node (%i)', async (path, status, message) => {
    const res = await get(path, localKey);
    expect([res.status, res.text]).toEqual([status, envelope(null, message, false)]);
  });

  it('answers status:false, never a 500, when the key’s node cannot be reached', async () => {
    const keys = ed25519KeyPair();
    const name = unique('wgd-tools-ssh');
    const node = await request(http)
      .post('/api/admin/nodes')
      .set(bearer(admin.key))
      .send({
        name,
        transport: 'ssh',
        public_ipv4: '198.51.100.37',
        ssh: { host: '127.0.0.1', port: (hangUp.address() as { port: number }).port, username: 'wgfleet', private_key: keys.private, host_key: keys.public },
      })
      .expect(201);
    const key = (await request(http).post(`/api/admin/nodes/${node.body.id}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key as string;

    for (const [path, step] of [
      ['/api/ping/execute?ipAddress=10.66.1.1&count=1', 'ping'],
      ['/api/traceroute/execute?ipAddress=10.66.1.1', 'traceroute'],
      ['/api/systemStatus', 'system status'],
    ] as const) {
      const res = await get(path, key);
      expect(res.status).toBe(200);
      const body = JSON.parse(res.text);
      expect(body).toMatchObject({ data: null, status: false });
      expect(body.message).toMatch(new RegExp(`^Cannot run ${step} on node ${name}: node ${name}: .*127\\.0\\.0\\.1`));
      expect(body.message).not.toContain('PRIVATE KEY');
    }
  });
});

describe('WGDashboard API: node tools on a fake node (what the node printed, in upstream’s shapes)', () => {
  const driver = new FakeNodeDriver();
  let app: NestFastifyApplication;
  let node: { nodeId: number; key: string };
  let other: { nodeId: number; key: string };

  beforeAll(async () => {
    app = await startAppOnFakeNodes(driver);
    const admin = await makeAccount(app, 'admin');
    node = await keyForNewLocalNode(app, admin.key);
    other = await keyForNewLocalNode(app, admin.key);
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    driver.toolOutputs = {};
    driver.failure = null;
    driver.toolCalls.length = 0;
  });

  const get = (path: string, key = node.key) => request(app.getHttpServer()).get(path).set('wg-dashboard-apikey', key);

  it('pings on the key’s node with the canonical address, and answers the recorded loopback bytes (ping-execute-loopback.json)', async () => {
    driver.toolOutputs.ping = {
      exitCode: 0,
      stderr: '',
      stdout:
        'PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.082 ms\n\n' +
        '--- 127.0.0.1 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.082/0.082/0.082/0.000 ms\n',
    };
    const fixture = wgdFixture('ping-execute-loopback');
    const res = await get(fixture.request.path);
    expect([res.status, res.text, res.headers['content-length']]).toEqual([200, fixture.body, fixture.headers['Content-Length']]);
    expect(driver.toolCalls).toEqual([{ nodeId: node.nodeId, tool: 'ping', address: '127.0.0.1', count: 1 }]);

    await get('/api/ping/execute?ipAddress=FD42:66:1:0::1&count=3', other.key).expect(200);
    expect(driver.toolCalls[1]).toEqual({ nodeId: other.nodeId, tool: 'ping', address: 'fd42:66:1::1', count: 3 });
  });

  it('answers a host that does not answer as upstream: not alive, loss 1.0', async () => {
    driver.toolOutputs.ping = {
      exitCode: 1,
      stderr: '',
      stdout: 'PING 10.66.1.9 (10.66.1.9) 56(84) bytes of data.\n\n--- 10.66.1.9 ping statistics ---\n2 packets transmitted, 0 received, 100% packet loss, time 1010ms\n',
    };
    const res = await get('/api/ping/execute?ipAddress=10.66.1.9&count=2').expect(200);
    expect(res.text).toBe(
      '{"data":{"address":"10.66.1.9","avg_rtt":0.0,"geo":null,"is_alive":false,"max_rtt":0.0,"min_rtt":0.0,"package_loss":1.0,"package_received":0,"package_sent":2},"message":null,"status":true}\n',
    );
  });

  it('resolves a host name on the node; a name the node cannot resolve is a 400 that says what to send', async () => {
    const resolved = await get('/api/ping/execute?ipAddress=localhost&count=2').expect(200);
    expect(JSON.parse(resolved.text).data).toMatchObject({ address: '127.0.0.1', package_sent: 2, package_received: 2, is_alive: true });

    for (const path of ['/api/ping/execute?ipAddress=nosuch.example&count=1', '/api/traceroute/execute?ipAddress=nosuch.example']) {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text)).toEqual({
        data: null,
        message: expect.stringMatching(/^Node .+ cannot resolve nosuch\.example: please specify an IP Address \(v4\/v6\) or a host name the node can resolve$/),
        status: false,
      });
    }
  });

  it('traces on the key’s node and answers as upstream offline (recorded message and hop, traceroute-execute-loopback.json) plus an empty geo the web page can read', async () => {
    // Times chosen so icmplib's rounding lands on the recorded ones (the real tool prints 3 decimals).
    driver.toolOutputs.traceroute = { exitCode: 0, stderr: '', stdout: 'traceroute to 127.0.0.1 (127.0.0.1), 64 hops max, 60 byte packets\n 1  127.0.0.1  0.0254 ms  0.1544 ms\n' };
    const fixture = wgdFixture('traceroute-execute-loopback');
    const res = await get(fixture.request.path);
    const geo = '"geo":{"city":"","country":"","lat":0,"lon":0,"query":"127.0.0.1"},';
    expect([res.status, res.text]).toEqual([200, fixture.body.replace('"hop":1,', `${geo}"hop":1,`)]);
    expect(Number(res.headers['content-length'])).toBe(Number(fixture.headers['Content-Length']) + geo.length);
    expect(driver.toolCalls).toEqual([{ nodeId: node.nodeId, tool: 'traceroute', address: '127.0.0.1', count: null }]);
  });

  it('fills traceroute gaps with "*" rows as upstream', async () => {
    driver.toolOutputs.traceroute = {
      exitCode: 0,
      stderr: '',
      stdout: 'traceroute to 10.9.9.9 (10.9.9.9), 64 hops max, 60 byte packets\n 1  10.0.0.1  1.000 ms  1.000 ms\n 2  10.0.0.2  2.000 ms  2.000 ms\n 3  * *\n 4  10.9.9.9  4.000 ms  4.000 ms\n',
    };
    const res = await get('/api/traceroute/execute?ipAddress=10.9.9.9').expect(200);
    const rows = JSON.parse(res.text).data as Array<{ hop: number; ip: string; geo: { city: string; query: string } }>;
    expect(rows.map((row) => `${row.hop}:${row.ip}`)).toEqual(['1:10.0.0.1', '2:10.0.0.2', '3:*', '4:10.9.9.9']);
    // WGDashboard's traceroute page reads hop.geo.city on every row, gaps included.
    expect(rows.map((row) => [row.geo.city, row.geo.query])).toEqual([['', '10.0.0.1'], ['', '10.0.0.2'], ['', '*'], ['', '10.9.9.9']]);
  });

  it('answers the node’s system status in upstream’s shape (ints and floats as upstream)', async () => {
    const res = await get('/api/systemStatus').expect(200);
    expect(driver.toolCalls).toEqual([{ nodeId: node.nodeId, tool: 'systemSnapshot', address: null, count: null }]);
    expect(res.text).toBe(
      '{"data":{"CPU":{"cpu_percent":25.0,"cpu_percent_per_cpu":[40.0,10.0]},' +
        '"Disks":[{"free":5500000000,"mountPoint":"/","percent":42.1,"total":10000000000,"used":4000000000}],' +
        '"Memory":{"SwapMemory":{"__memoryType__":"swap","available":805306368,"percent":25.0,"total":1073741824},' +
        '"VirtualMemory":{"__memoryType__":"virtual","available":3221225472,"percent":25.0,"total":4294967296}},' +
        '"NetworkInterfaces":{"eth0":{"bytes_recv":5000000,"bytes_sent":3000000,"dropin":2,"dropout":4,"errin":1,"errout":3,"packets_recv":4000,"packets_sent":3000},' +
        '"lo":{"bytes_recv":1000,"bytes_sent":1000,"dropin":0,"dropout":0,"errin":0,"errout":0,"packets_recv":10,"packets_sent":10}},' +
        '"Processes":{"cpu_top_10":[' +
        '{"command":"wireguard-go wg0","name":"wireguard-go","percent":1.5,"pid":200},' +
        '{"command":"sshd: root@notty","name":"sshd","percent":0.2,"pid":300},' +
        '{"command":"/sbin/init","name":"init","percent":0.0,"pid":1}],' +
        '"memory_top_10":[' +
        '{"command":"wireguard-go wg0","name":"wireguard-go","percent":0.48828125,"pid":200},' +
        '{"command":"sshd: root@notty","name":"sshd","percent":0.1953125,"pid":300},' +
        '{"command":"/sbin/init","name":"init","percent":0.09765625,"pid":1}]}},' +
        '"message":null,"status":true}\n',
    );
  });

  it('answers status:false with the node’s reason when the node is unreachable or the tool fails', async () => {
    driver.failure = { kind: 'unreachable', message: 'node n9: no SSH connection within 10000 ms' };
    const down = await get('/api/systemStatus').expect(200);
    expect(JSON.parse(down.text)).toEqual({ data: null, message: expect.stringMatching(/^Cannot run system status on node .+: node n9: no SSH connection within 10000 ms$/), status: false });

    driver.failure = null;
    driver.toolOutputs.ping = { exitCode: 2, stdout: '', stderr: 'ping: connect: Network is unreachable\n' };
    const failed = await get('/api/ping/execute?ipAddress=fd42::1&count=1').expect(200);
    expect(JSON.parse(failed.text)).toEqual({ data: null, message: expect.stringMatching(/^ping on node .+ failed: exited 2: ping: connect: Network is unreachable$/), status: false });

    driver.toolOutputs.traceroute = { exitCode: 124, stdout: '', stderr: '' };
    const slow = await get('/api/traceroute/execute?ipAddress=10.9.9.9').expect(200);
    expect(JSON.parse(slow.text).message).toMatch(/^traceroute on node .+ failed: timed out on the node$/);
  });
});
