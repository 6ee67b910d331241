import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SecretBox } from '@wgfleet/core';
import { ReconcileRequests } from '@wgfleet/servers';
import { publicKeyFromPrivate } from '@wgfleet/wireguard';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';
import { ed25519KeyPair } from '../support/ssh-keys.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
let seq = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

function sshKeys() {
  const pair = ed25519KeyPair();
  return { private_key: pair.private, host_key: pair.public };
}

function sshNodeBody(overrides: Record<string, unknown> = {}, sshOverrides: Record<string, unknown> = {}) {
  return {
    name: unique('node'),
    transport: 'ssh',
    public_ipv4: '198.51.100.10',
    public_ipv6: '2001:db8::10',
    ssh: { host: 'node-1.example.com', port: 2222, username: 'wgfleet', ...sshKeys(), ...sshOverrides },
    ...overrides,
  };
}

const localNodeBody = (overrides: Record<string, unknown> = {}) => ({ name: unique('local'), transport: 'local', public_ipv4: '203.0.113.5', ...overrides });

function serverBody(overrides: Record<string, unknown> = {}) {
  return { name: 'Frankfurt 1', location: 'Frankfurt', interface: 'wg0', listen_port: 51820, ipv4_subnet: '10.8.0.0/24', ...overrides };
}

describe('admin fleet API (nodes, servers, assignments)', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let admin: { id: number; key: string };
  let db: DataSource;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
    http = app.getHttpServer();
    admin = await makeAccount(app, 'admin');
    db = app.get(DataSource);
  });
  afterAll(async () => {
    await app.close();
  });

  const post = (path: string, body: unknown) => request(http).post(path).set(bearer(admin.key)).send(body as object);
  const get = (path: string) => request(http).get(path).set(bearer(admin.key));
  const del = (path: string) => request(http).delete(path).set(bearer(admin.key));
  const patch = (path: string, body: unknown) => request(http).patch(path).set(bearer(admin.key)).send(body as object);

  async function createLocalNode(overrides: Record<string, unknown> = {}): Promise<{ id: number; name: string; public_ipv4: string }> {
    return (await post('/api/admin/nodes', localNodeBody(overrides)).expect(201)).body;
  }

  async function createServer(nodeId: number, overrides: Record<string, unknown> = {}) {
    return (await post(`/api/admin/nodes/${nodeId}/servers`, serverBody(overrides)).expect(201)).body;
  }

  const fields = (response: request.Response) => (response.body.errors ?? []).map((e: { field: string }) => e.field);

  describe('nodes', () => {
    it('creates an ssh node, seals its private key and never returns it', async () => {
      const body = sshNodeBody();
      const created = await post('/api/admin/nodes', body).expect(201);
      expect(created.body).toEqual({
        id: expect.any(Number),
        name: body.name,
        transport: 'ssh',
        public_ipv4: '198.51.100.10',
        public_ipv6: '2001:db8::10',
        ssh: { host: 'node-1.example.com', port: 2222, username: 'wgfleet', host_key: body.ssh.host_key },
        health: { reachable: null, last_error: null, last_contact_at: null },
        servers_count: 0,
        created_at: expect.stringMatching(ISO),
      });
      expect(created.text).not.toContain('PRIVATE KEY');

      const [row] = await db.query('SELECT ssh_private_key_enc FROM node WHERE id = $1', [created.body.id]);
      expect(row.ssh_private_key_enc.toString('latin1')).not.toContain('PRIVATE KEY');
      expect(app.get(SecretBox).open(row.ssh_private_key_enc, `node.ssh_private_key:${body.name}`)).toBe(body.ssh.private_key);

      await get(`/api/admin/nodes/${created.body.id}`).expect(200, created.body);
      const list = await get('/api/admin/nodes?limit=500').expect(200);
      expect(list.body.nodes).toContainEqual(created.body);
      expect(list.body.next_cursor).toBeNull();
      expect(list.text).not.toContain('PRIVATE KEY');
    });

    it('creates a local node without ssh, defaults the ssh port to 22 and canonicalises addresses', async () => {
      const local = await post('/api/admin/nodes', localNodeBody()).expect(201);
      expect(local.body).toMatchObject({ transport: 'local', public_ipv4: '203.0.113.5', public_ipv6: null, ssh: null });

      const body = sshNodeBody({ public_ipv6: '2001:DB8:0:0::7' }, { port: undefined, host: '192.0.2.1' });
      const created = await post('/api/admin/nodes', body).expect(201);
      expect(created.body.public_ipv6).toBe('2001:db8::7');
      expect(created.body.ssh).toMatchObject({ host: '192.0.2.1', port: 22 });
    });

    it('strips the comment of a host key line', async () => {
      const keys = sshKeys();
      const created = await post('/api/admin/nodes', sshNodeBody({}, { ...keys, host_key: `${keys.host_key} root@node-1` })).expect(201);
      expect(created.body.ssh.host_key).toBe(keys.host_key);
    });

    const encrypted = ed25519KeyPair({ passphrase: 'secret', cipher: 'aes256-ctr', rounds: 4 });
    const otherBlob = ed25519KeyPair().public.split(' ')[1];
    it.each<[string, Record<string, unknown>, Record<string, unknown>, string]>([
      ['a bad name', { name: 'node 1' }, {}, 'name'],
      ['a too long name', { name: 'n'.repeat(64) }, {}, 'name'],
      ['a shell name', { name: 'x;id' }, {}, 'name'],
      ['an unknown transport', { transport: 'telnet' }, {}, 'transport'],
      ['a zero-padded IPv4', { public_ipv4: '010.0.0.1' }, {}, 'public_ipv4'],
      ['a hex IPv4', { public_ipv4: '0x0a.0.0.1' }, {}, 'public_ipv4'],
      ['an out-of-range IPv4', { public_ipv4: '10.0.0.256' }, {}, 'public_ipv4'],
      ['an IPv6 as public_ipv4', { public_ipv4: '2001:db8::1' }, {}, 'public_ipv4'],
      ['a number as public_ipv4', { public_ipv4: 167772161 }, {}, 'public_ipv4'],
      ['an IPv4 as public_ipv6', { public_ipv6: '198.51.100.1' }, {}, 'public_ipv6'],
      ['a mapped IPv6', { public_ipv6: '::ffff:10.0.0.1' }, {}, 'public_ipv6'],
      ['a scoped IPv6', { public_ipv6: 'fe80::1%eth0' }, {}, 'public_ipv6'],
      ['ssh missing for an ssh node', { ssh: undefined }, {}, 'ssh'],
      ['ssh not an object', { ssh: 'root@host' }, {}, 'ssh'],
      ['ssh port 0', {}, { port: 0 }, 'ssh.port'],
      ['ssh port 65536', {}, { port: 65536 }, 'ssh.port'],
      ['ssh port as text', {}, { port: '22' }, 'ssh.port'],
      ['an uppercase username', {}, { username: 'Root' }, 'ssh.username'],
      ['a shell username', {}, { username: 'a;id' }, 'ssh.username'],
      ['a shell host', {}, { host: 'host;id' }, 'ssh.host'],
      ['a garbage private key', {}, { private_key: 'garbage' }, 'ssh.private_key'],
      ['an encrypted private key', {}, { private_key: encrypted.private }, 'ssh.private_key'],
      ['a public key as private key', {}, { private_key: encrypted.public }, 'ssh.private_key'],
      ['a host key whose blob is another type', {}, { host_key: `ssh-rsa ${otherBlob}` }, 'ssh.host_key'],
      ['an unsupported host key type', {}, { host_key: `ssh-dss ${otherBlob}` }, 'ssh.host_key'],
      ['a two-line host key', {}, { host_key: `ssh-ed25519 ${otherBlob}\nssh-ed25519 ${otherBlob}` }, 'ssh.host_key'],
      ['a host key with a shell tail', {}, { host_key: `ssh-ed25519 ${otherBlob}$(id)` }, 'ssh.host_key'],
      ['an unknown field', { is_admin: true }, {}, 'is_admin'],
      ['an unknown ssh field', {}, { password: 'hunter2' }, 'ssh.password'],
    ])('refuses %s with a 422 naming the field', async (_label, overrides, sshOverrides, field) => {
      const body = sshNodeBody(overrides, sshOverrides);
      const response = await post('/api/admin/nodes', body).expect(422);
      expect(response.body.code).toBe('validation_failed');
      expect(fields(response)).toContain(field);
      expect(response.text).not.toContain('PRIVATE KEY');
    });

    it('refuses ssh settings on a local node', async () => {
      const response = await post('/api/admin/nodes', { ...localNodeBody(), ssh: sshNodeBody().ssh }).expect(422);
      expect(fields(response)).toEqual(['ssh']);
      expect(response.body.error).toContain('local');
    });

    it('answers 409 duplicate_name for a taken name, also to two parallel creates', async () => {
      const node = await createLocalNode();
      const again = await post('/api/admin/nodes', localNodeBody({ name: node.name })).expect(409);
      expect(again.body.code).toBe('duplicate_name');

      const name = unique('race');
      const results = await Promise.all([post('/api/admin/nodes', localNodeBody({ name })), post('/api/admin/nodes', sshNodeBody({ name }))]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(results.find((r) => r.status === 409)!.body.code).toBe('duplicate_name');
    });

    it('answers 404 for a missing node and 422 for a malformed id', async () => {
      await get('/api/admin/nodes/99999999').expect(404);
      await del('/api/admin/nodes/99999999').expect(404);
      await post('/api/admin/nodes/99999999/servers', serverBody()).expect(404);
      await get('/api/admin/nodes/abc').expect(422);
    });

    it('refuses to delete a node while it has servers, then deletes it', async () => {
      const node = await createLocalNode();
      const server = await createServer(node.id);
      expect((await get(`/api/admin/nodes/${node.id}`).expect(200)).body.servers_count).toBe(1);
      const refused = await del(`/api/admin/nodes/${node.id}`).expect(409);
      expect(refused.body.code).toBe('in_use');
      expect(refused.body.error).toContain('delete its servers first');

      await del(`/api/admin/servers/${server.id}`).expect(200, { id: server.id, deleted: true });
      await del(`/api/admin/nodes/${node.id}`).expect(200, { id: node.id, deleted: true });
      await get(`/api/admin/nodes/${node.id}`).expect(404);
    });

    it('pages through nodes', async () => {
      await createLocalNode();
      await createLocalNode();
      const first = await get('/api/admin/nodes?limit=1').expect(200);
      expect(first.body.nodes).toHaveLength(1);
      expect(first.body.next_cursor).toEqual(expect.any(String));
      const second = await get(`/api/admin/nodes?limit=1&cursor=${first.body.next_cursor}`).expect(200);
      expect(second.body.nodes[0].id).toBeGreaterThan(first.body.nodes[0].id);
    });
  });

  describe('servers', () => {
    it('creates a server with a generated key pair and answers the contract shape', async () => {
      const node = await createLocalNode({ public_ipv4: '203.0.113.9' });
      const created = await post(`/api/admin/nodes/${node.id}/servers`, serverBody()).expect(201);
      expect(created.body).toEqual({
        id: expect.any(Number),
        node_id: node.id,
        name: 'Frankfurt 1',
        location: 'Frankfurt',
        interface: 'wg0',
        listen_port: 51820,
        public_key: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
        ipv4_subnet: '10.8.0.0/24',
        ipv6_subnet: null,
        dns: [],
        mtu: null,
        endpoint: '203.0.113.9:51820',
        port_forward_range: '1-65535',
        reserved_ports: [],
        sync: { state: 'pending', desired_generation: 1, applied_generation: 0, last_error: null, last_applied_at: null },
        created_at: expect.stringMatching(ISO),
      });
      const [row] = await db.query('SELECT private_key_enc FROM server WHERE id = $1', [created.body.id]);
      const privateKey = app.get(SecretBox).open(row.private_key_enc, `server.private_key:${created.body.public_key}`);
      expect(publicKeyFromPrivate(privateKey)).toBe(created.body.public_key);
      expect(created.text).not.toContain(privateKey);

      await get(`/api/admin/servers/${created.body.id}`).expect(200, created.body);
      const list = await get(`/api/admin/servers?node_id=${node.id}`).expect(200);
      expect(list.body).toEqual({ servers: [created.body], next_cursor: null });
      for (const response of [list, await get('/api/admin/servers?limit=500'), await get('/api/admin/audit?limit=500')]) {
        expect(response.text).not.toContain(privateKey);
      }
    });

    it('takes every optional setting, canonicalised', async () => {
      const node = await createLocalNode();
      const created = await post(
        `/api/admin/nodes/${node.id}/servers`,
        serverBody({
          ipv6_subnet: 'FD42:66:1::/64',
          dns: ['1.1.1.1', '2606:4700:4700::1111', '1.1.1.1'],
          mtu: 1420,
          endpoint_host: 'VPN.example.com',
          port_forward_range: '20000-29999',
          reserved_ports: [25000, 20001, 25000],
        }),
      ).expect(201);
      expect(created.body).toMatchObject({
        ipv6_subnet: 'fd42:66:1::/64',
        dns: ['1.1.1.1', '2606:4700:4700::1111'],
        mtu: 1420,
        endpoint: 'vpn.example.com:51820',
        port_forward_range: '20000-29999',
        reserved_ports: [20001, 25000],
      });
      const v6 = await createServer(node.id, { interface: 'wg1', listen_port: 51821, ipv4_subnet: '10.9.0.0/24', endpoint_host: '2001:db8::1' });
      expect(v6.endpoint).toBe('[2001:db8::1]:51821');
    });

    const serverCases: [string, Record<string, unknown>, string, string?][] = [
      ['a shell interface', { interface: 'wg0;id' }, 'interface'],
      ['an empty interface', { interface: '' }, 'interface'],
      ['a 16-character interface', { interface: 'w'.repeat(16) }, 'interface'],
      ['an interface starting with -', { interface: '-wg0' }, 'interface'],
      ['an interface named like a shaping device (ifb-)', { interface: 'ifb-wg0' }, 'interface', 'reserved for the traffic shaping devices'],
      ['an interface named like a hashed shaping device (ifb=)', { interface: 'ifb=0123abcd' }, 'interface', 'reserved for the traffic shaping devices'],
      ['listen_port 0', { listen_port: 0 }, 'listen_port'],
      ['listen_port 65536', { listen_port: 65536 }, 'listen_port'],
      ['listen_port as text', { listen_port: '51820' }, 'listen_port'],
      ['host bits set', { ipv4_subnet: '10.8.0.5/24' }, 'ipv4_subnet', 'use 10.8.0.0/24'],
      ['a /33', { ipv4_subnet: '10.0.0.0/33' }, 'ipv4_subnet'],
      ['a hex network', { ipv4_subnet: '0x0a.0.0.0/8' }, 'ipv4_subnet'],
      ['a zero-padded network', { ipv4_subnet: '010.8.0.0/24' }, 'ipv4_subnet'],
      ['a /31', { ipv4_subnet: '10.8.0.0/31' }, 'ipv4_subnet', '/30'],
      ['an IPv6 ipv4_subnet', { ipv4_subnet: 'fd42::/64' }, 'ipv4_subnet'],
      ['a shell tail', { ipv4_subnet: '10.0.0.1/32;id' }, 'ipv4_subnet'],
      ['a missing ipv4_subnet', { ipv4_subnet: undefined }, 'ipv4_subnet'],
      ['an IPv4 ipv6_subnet', { ipv6_subnet: '10.8.0.0/24' }, 'ipv6_subnet'],
      ['an IPv6 with host bits', { ipv6_subnet: 'fd42::1/64' }, 'ipv6_subnet', 'use fd42::/64'],
      ['a /127', { ipv6_subnet: 'fd42::/127' }, 'ipv6_subnet', '/126'],
      ['a /129', { ipv6_subnet: '::/129' }, 'ipv6_subnet'],
      ['dns with a shell tail', { dns: ['1.1.1.1;id'] }, 'dns'],
      ['dns as a string', { dns: '1.1.1.1' }, 'dns'],
      ['dns with 9 entries', { dns: Array.from({ length: 9 }, (_, i) => `1.1.1.${i + 1}`) }, 'dns'],
      ['dns null', { dns: null }, 'dns'],
      ['mtu 575', { mtu: 575 }, 'mtu'],
      ['mtu 65536', { mtu: 65536 }, 'mtu'],
      ['mtu 1420.5', { mtu: 1420.5 }, 'mtu'],
      ['an endpoint_host with a space', { endpoint_host: 'vpn example.com' }, 'endpoint_host'],
      ['an endpoint_host with a port', { endpoint_host: 'vpn.example.com:51820' }, 'endpoint_host'],
      ['an endpoint_host in shell', { endpoint_host: '$(reboot)' }, 'endpoint_host'],
      ['a range from 0', { port_forward_range: '0-10' }, 'port_forward_range'],
      ['a reversed range', { port_forward_range: '10-5' }, 'port_forward_range'],
      ['a range past 65535', { port_forward_range: '1-70000' }, 'port_forward_range'],
      ['a range as a number', { port_forward_range: 443 }, 'port_forward_range'],
      ['reserved port 0', { reserved_ports: [0] }, 'reserved_ports'],
      ['reserved port 70000', { reserved_ports: [70000] }, 'reserved_ports'],
      ['a reserved port as text', { reserved_ports: ['80'] }, 'reserved_ports'],
      ['101 reserved ports', { reserved_ports: Array.from({ length: 101 }, (_, i) => i + 1) }, 'reserved_ports'],
      ['a name with a newline', { name: 'x\nPostUp = rm -rf /' }, 'name'],
      ['a missing location', { location: undefined }, 'location'],
      ['a private_key field', { private_key: 'x' }, 'private_key'],
      ['a public_key field', { public_key: 'x' }, 'public_key'],
    ];
    // Every row gets four values, or Jest would pass its `done` callback as the hint.
    it.each(serverCases.map(([label, overrides, field, hint]) => [label, overrides, field, hint ?? ''] as const))(
      'refuses %s with a 422 naming the field',
      async (_label, overrides, field, hint) => {
      const node = await createLocalNode();
      const response = await post(`/api/admin/nodes/${node.id}/servers`, serverBody(overrides)).expect(422);
      expect(response.body.code).toBe('validation_failed');
      expect(fields(response)).toContain(field);
      if (hint) expect(response.body.error).toContain(hint);
      },
    );

    it('answers 409 for a taken interface, listen port or overlapping subnet on the same node only', async () => {
      const node = await createLocalNode();
      const first = await createServer(node.id, { ipv6_subnet: 'fd42:66:1::/64' });

      const sameInterface = await post(`/api/admin/nodes/${node.id}/servers`, serverBody({ listen_port: 51821, ipv4_subnet: '10.9.0.0/24' })).expect(409);
      expect(sameInterface.body).toMatchObject({ code: 'duplicate_name', errors: [{ field: 'interface' }] });

      const samePort = await post(`/api/admin/nodes/${node.id}/servers`, serverBody({ interface: 'wg1', ipv4_subnet: '10.9.0.0/24' })).expect(409);
      expect(samePort.body).toMatchObject({ code: 'in_use', errors: [{ field: 'listen_port' }] });

      const overlapping = await post(
        `/api/admin/nodes/${node.id}/servers`,
        serverBody({ interface: 'wg1', listen_port: 51821, ipv4_subnet: '10.8.0.128/25' }),
      ).expect(409);
      expect(overlapping.body).toMatchObject({ code: 'in_use', errors: [{ field: 'ipv4_subnet' }] });
      expect(overlapping.body.error).toContain(`server ${first.id}`);

      const containing = await post(`/api/admin/nodes/${node.id}/servers`, serverBody({ interface: 'wg1', listen_port: 51821, ipv4_subnet: '10.0.0.0/8' })).expect(409);
      expect(containing.body.code).toBe('in_use');

      const v6 = await post(
        `/api/admin/nodes/${node.id}/servers`,
        serverBody({ interface: 'wg1', listen_port: 51821, ipv4_subnet: '10.9.0.0/24', ipv6_subnet: 'fd42:66:1:0:8000::/80' }),
      ).expect(409);
      expect(v6.body).toMatchObject({ code: 'in_use', errors: [{ field: 'ipv6_subnet' }] });

      await createServer(node.id, { interface: 'wg1', listen_port: 51821, ipv4_subnet: '10.9.0.0/24', ipv6_subnet: 'fd42:66:2::/64' });
      const elsewhere = await createLocalNode();
      await createServer(elsewhere.id, { ipv4_subnet: '10.8.0.128/25', ipv6_subnet: 'fd42:66:1::/64' });
    });

    it('lets exactly one of two parallel overlapping creates on one node win', async () => {
      const node = await createLocalNode();
      const results = await Promise.all([
        post(`/api/admin/nodes/${node.id}/servers`, serverBody({ interface: 'wg0', listen_port: 51820, ipv4_subnet: '10.8.0.0/24' })),
        post(`/api/admin/nodes/${node.id}/servers`, serverBody({ interface: 'wg1', listen_port: 51821, ipv4_subnet: '10.8.0.128/25' })),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(results.find((r) => r.status === 409)!.body.code).toBe('in_use');
      expect((await get(`/api/admin/servers?node_id=${node.id}`).expect(200)).body.servers).toHaveLength(1);
    });

    it('updates settings in one transaction with the generation', async () => {
      const node = await createLocalNode({ public_ipv4: '203.0.113.77' });
      const server = await createServer(node.id, { dns: ['1.1.1.1'], mtu: 1420, endpoint_host: 'vpn.example.com' });
      const updated = await patch(`/api/admin/servers/${server.id}`, {
        name: 'Frankfurt 2',
        location: 'Frankfurt am Main',
        dns: ['9.9.9.9'],
        port_forward_range: '20000-29999',
        reserved_ports: [22, 80, 80],
      }).expect(200);
      expect(updated.body).toEqual({
        ...server,
        name: 'Frankfurt 2',
        location: 'Frankfurt am Main',
        dns: ['9.9.9.9'],
        port_forward_range: '20000-29999',
        reserved_ports: [22, 80],
        sync: { ...server.sync, desired_generation: 2 },
      });
      const reset = await patch(`/api/admin/servers/${server.id}`, { mtu: null, endpoint_host: null }).expect(200);
      expect(reset.body).toMatchObject({ mtu: null, endpoint: '203.0.113.77:51820', sync: { desired_generation: 3 } });
      await get(`/api/admin/servers/${server.id}`).expect(200, reset.body);
    });

    it.each<[Record<string, unknown>, string]>([
      [{ interface: 'wg9' }, 'interface'],
      [{ listen_port: 51899 }, 'listen_port'],
      [{ ipv4_subnet: '10.99.0.0/24' }, 'ipv4_subnet'],
      [{ public_key: 'x' }, 'public_key'],
      [{ node_id: 1 }, 'node_id'],
      [{ name: null }, 'name'],
      [{ reserved_ports: null }, 'reserved_ports'],
      [{ mtu: 10 }, 'mtu'],
      [{ dns: ['not-an-ip'] }, 'dns'],
    ])('refuses the PATCH %j with a 422 naming %s, changing nothing', async (body, field) => {
      const node = await createLocalNode();
      const server = await createServer(node.id);
      const response = await patch(`/api/admin/servers/${server.id}`, body).expect(422);
      expect(fields(response)).toContain(field);
      await get(`/api/admin/servers/${server.id}`).expect(200, server);
    });

    it('answers 404 for a missing server on every route', async () => {
      await get('/api/admin/servers/99999999').expect(404);
      await patch('/api/admin/servers/99999999', { name: 'x' }).expect(404);
      await del('/api/admin/servers/99999999').expect(404);
      await post('/api/admin/servers/99999999/reconcile', {}).expect(404);
    });

    it('refuses to delete a server while it has assignments', async () => {
      const node = await createLocalNode();
      const server = await createServer(node.id);
      const customer = await makeAccount(app, 'customer');
      const assignment = (await post('/api/admin/assignments', { server_id: server.id, account_id: customer.id }).expect(201)).body;
      const refused = await del(`/api/admin/servers/${server.id}`).expect(409);
      expect(refused.body.code).toBe('in_use');
      expect(refused.body.error).toContain('assignment');
      await del(`/api/admin/assignments/${assignment.id}`).expect(200);
      await del(`/api/admin/servers/${server.id}`).expect(200, { id: server.id, deleted: true });
      await get(`/api/admin/servers/${server.id}`).expect(404);
    });

    it('accepts a reconcile request, audits it and hands it to the listeners', async () => {
      const node = await createLocalNode();
      const server = await createServer(node.id);
      const seen: number[] = [];
      const stop = app.get(ReconcileRequests).onRequest((id) => seen.push(id));
      try {
        const response = await post(`/api/admin/servers/${server.id}/reconcile`, undefined).expect(202);
        expect(response.body).toEqual({ server_id: server.id, sync: server.sync });
      } finally {
        stop();
      }
      expect(seen).toEqual([server.id]);
      const audit = await get(`/api/admin/audit?account_id=${admin.id}&limit=500`).expect(200);
      expect(audit.body.entries).toContainEqual(expect.objectContaining({ action: 'server.reconcile', target_type: 'server', target_id: server.id }));
    });
  });

  describe('assignments', () => {
    it('assigns a server to an account, lists and deletes it', async () => {
      const node = await createLocalNode();
      const server = await createServer(node.id);
      const reseller = await makeAccount(app, 'reseller');
      const created = await post('/api/admin/assignments', { server_id: server.id, account_id: reseller.id, max_users: 10, max_port_forwards: 5 }).expect(201);
      expect(created.body).toEqual({
        id: expect.any(Number),
        server_id: server.id,
        account_id: reseller.id,
        parent_assignment_id: null,
        max_users: 10,
        max_port_forwards: 5,
        created_at: expect.stringMatching(ISO),
      });
      const customer = await makeAccount(app, 'customer');
      const unlimited = await post('/api/admin/assignments', { server_id: server.id, account_id: customer.id }).expect(201);
      expect(unlimited.body).toMatchObject({ max_users: null, max_port_forwards: null });

      expect((await get(`/api/admin/assignments?server_id=${server.id}`).expect(200)).body).toEqual({
        assignments: [created.body, unlimited.body],
        next_cursor: null,
      });
      expect((await get(`/api/admin/assignments?account_id=${customer.id}`).expect(200)).body.assignments).toEqual([unlimited.body]);
      const page = await get(`/api/admin/assignments?server_id=${server.id}&limit=1`).expect(200);
      expect(page.body.assignments).toEqual([created.body]);
      expect(page.body.next_cursor).toEqual(expect.any(String));

      // The customer now sees it as one of its servers.
      const own = await request(http).get('/api/wg/servers').set(bearer(customer.key)).expect(200);
      expect(own.body.servers.map((s: { assignment_id: number }) => s.assignment_id)).toContain(unlimited.body.id);

      await del(`/api/admin/assignments/${unlimited.body.id}`).expect(200, { id: unlimited.body.id, deleted: true });
      await del(`/api/admin/assignments/${unlimited.body.id}`).expect(404);
      expect((await get(`/api/admin/assignments?server_id=${server.id}`).expect(200)).body.assignments).toEqual([created.body]);
    });

    it('answers 409 conflict when the account already has the server', async () => {
      const node = await createLocalNode();
      const server = await createServer(node.id);
      const customer = await makeAccount(app, 'customer');
      await post('/api/admin/assignments', { server_id: server.id, account_id: customer.id }).expect(201);
      const again = await post('/api/admin/assignments', { server_id: server.id, account_id: customer.id, max_users: 1 }).expect(409);
      expect(again.body.code).toBe('conflict');
      expect(again.body.error).toContain(`account ${customer.id} already has server ${server.id}`);

      const other = await makeAccount(app, 'customer');
      const results = await Promise.all([
        post('/api/admin/assignments', { server_id: server.id, account_id: other.id }),
        post('/api/admin/assignments', { server_id: server.id, account_id: other.id, max_users: 3 }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    });

    it('deletes the users and delegations with the assignment and moves the server generation', async () => {
      const node = await createLocalNode();
      const server = await createServer(node.id);
      const reseller = await makeAccount(app, 'reseller');
      const customer = await makeAccount(app, 'customer', { parentId: reseller.id });
      const parent = (await post('/api/admin/assignments', { server_id: server.id, account_id: reseller.id, max_users: 5 }).expect(201)).body;
      const [child] = await db.query(
        `INSERT INTO assignment (server_id, account_id, parent_assignment_id, max_users) VALUES ($1, $2, $3, 2) RETURNING id`,
        [server.id, customer.id, parent.id],
      );
      await db.query(
        `INSERT INTO wg_user (server_id, assignment_id, client_name, public_key, ipv4, allowed_ips, persistent_keepalive)
         VALUES ($1, $2, 'laptop', $3, '10.8.0.2', '{0.0.0.0/0}', 25)`,
        [server.id, Number(child.id), server.public_key],
      );
      await del(`/api/admin/assignments/${parent.id}`).expect(200, { id: parent.id, deleted: true });
      const [{ count }] = await db.query('SELECT count(*)::int AS count FROM wg_user WHERE server_id = $1', [server.id]);
      expect(count).toBe(0);
      expect((await get(`/api/admin/assignments?server_id=${server.id}`).expect(200)).body.assignments).toEqual([]);
      expect((await get(`/api/admin/servers/${server.id}`).expect(200)).body.sync.desired_generation).toBe(2);
    });

    it.each<[string, (ids: { serverId: number; customerId: number; adminId: number }) => Record<string, unknown>, string]>([
      ['a missing server', ({ customerId }) => ({ server_id: 99999999, account_id: customerId }), 'server_id'],
      ['a missing account', ({ serverId }) => ({ server_id: serverId, account_id: 99999999 }), 'account_id'],
      ['the admin account', ({ serverId, adminId }) => ({ server_id: serverId, account_id: adminId }), 'account_id'],
      ['a text server_id', ({ customerId }) => ({ server_id: '1', account_id: customerId }), 'server_id'],
      ['a negative max_users', ({ serverId, customerId }) => ({ server_id: serverId, account_id: customerId, max_users: -1 }), 'max_users'],
      ['a fractional max_port_forwards', ({ serverId, customerId }) => ({ server_id: serverId, account_id: customerId, max_port_forwards: 1.5 }), 'max_port_forwards'],
      ['a parent_assignment_id', ({ serverId, customerId }) => ({ server_id: serverId, account_id: customerId, parent_assignment_id: 1 }), 'parent_assignment_id'],
    ])('refuses %s with a 422 naming the field', async (_label, build, field) => {
      const node = await createLocalNode();
      const server = await createServer(node.id);
      const customer = await makeAccount(app, 'customer');
      const response = await post('/api/admin/assignments', build({ serverId: server.id, customerId: customer.id, adminId: admin.id })).expect(422);
      expect(fields(response)).toContain(field);
    });

    it('answers 404 for a missing assignment and 422 for bad filters', async () => {
      await del('/api/admin/assignments/99999999').expect(404);
      const bad = await get('/api/admin/assignments?server_id=abc').expect(422);
      expect(fields(bad)).toContain('server_id');
    });
  });

  describe('access', () => {
    function everyRoute(ids: { nodeId: number; serverId: number; assignmentId: number; accountId: number }) {
      return [
        () => request(http).post('/api/admin/nodes').send(localNodeBody()),
        () => request(http).get('/api/admin/nodes'),
        () => request(http).get(`/api/admin/nodes/${ids.nodeId}`),
        () => request(http).delete(`/api/admin/nodes/${ids.nodeId}`),
        () => request(http).post(`/api/admin/nodes/${ids.nodeId}/servers`).send(serverBody({ interface: 'wg5', listen_port: 51825, ipv4_subnet: '10.55.0.0/24' })),
        () => request(http).get('/api/admin/servers'),
        () => request(http).get(`/api/admin/servers/${ids.serverId}`),
        () => request(http).patch(`/api/admin/servers/${ids.serverId}`).send({ name: 'pwned' }),
        () => request(http).delete(`/api/admin/servers/${ids.serverId}`),
        () => request(http).post(`/api/admin/servers/${ids.serverId}/reconcile`),
        () => request(http).post('/api/admin/assignments').send({ server_id: ids.serverId, account_id: ids.accountId }),
        () => request(http).get('/api/admin/assignments'),
        () => request(http).delete(`/api/admin/assignments/${ids.assignmentId}`),
      ];
    }

    it.each([['customer'], ['reseller']] as const)('answers 403 to a %s key on every admin fleet route, changing nothing', async (kind) => {
      const node = await createLocalNode();
      const server = await createServer(node.id);
      const caller = await makeAccount(app, kind);
      const assignment = (await post('/api/admin/assignments', { server_id: server.id, account_id: caller.id }).expect(201)).body;
      for (const call of everyRoute({ nodeId: node.id, serverId: server.id, assignmentId: assignment.id, accountId: caller.id })) {
        const response = await call().set(bearer(caller.key));
        expect(response.status).toBe(403);
        expect(response.body.code).toBe('forbidden');
        expect(response.text).not.toContain(server.public_key);
      }
      await get(`/api/admin/servers/${server.id}`).expect(200, server);
      await get(`/api/admin/nodes/${node.id}`).expect(200);
      expect((await get(`/api/admin/assignments?server_id=${server.id}`).expect(200)).body.assignments).toEqual([assignment]);
    });

    it('answers 401 without a key on every admin fleet route', async () => {
      for (const call of everyRoute({ nodeId: 1, serverId: 1, assignmentId: 1, accountId: 1 })) {
        expect((await call()).status).toBe(401);
      }
    });

    it('replays a create with the same Idempotency-Key and refuses the key for another body', async () => {
      const body = localNodeBody();
      const key = unique('idem');
      const first = await post('/api/admin/nodes', body).set('Idempotency-Key', key).expect(201);
      const replay = await post('/api/admin/nodes', body).set('Idempotency-Key', key).expect(201);
      expect(replay.text).toBe(first.text);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      const other = await post('/api/admin/nodes', localNodeBody()).set('Idempotency-Key', key).expect(422);
      expect(other.body.code).toBe('idempotency_key_reused');

      const serverKey = unique('idem');
      const server = await post(`/api/admin/nodes/${first.body.id}/servers`, serverBody()).set('Idempotency-Key', serverKey).expect(201);
      await post(`/api/admin/nodes/${first.body.id}/servers`, serverBody()).set('Idempotency-Key', serverKey).expect(201, server.body);
      expect((await get(`/api/admin/servers?node_id=${first.body.id}`).expect(200)).body.servers).toHaveLength(1);
    });

    it('documents every admin fleet route in the OpenAPI document', async () => {
      const { paths } = (await request(http).get('/docs/openapi.json').expect(200)).body;
      const expected: [string, string[]][] = [
        ['/api/admin/nodes', ['get', 'post']],
        ['/api/admin/nodes/{id}', ['get', 'delete']],
        ['/api/admin/nodes/{id}/servers', ['post']],
        ['/api/admin/servers', ['get']],
        ['/api/admin/servers/{id}', ['get', 'patch', 'delete']],
        ['/api/admin/servers/{id}/reconcile', ['post']],
        ['/api/admin/assignments', ['get', 'post']],
        ['/api/admin/assignments/{id}', ['delete']],
      ];
      for (const [path, methods] of expected) {
        for (const method of methods) expect(paths[path]?.[method]).toBeDefined();
      }
    });

    it('audits every write without a secret', async () => {
      const body = sshNodeBody();
      const node = (await post('/api/admin/nodes', body).expect(201)).body;
      const server = await createServer(node.id);
      await patch(`/api/admin/servers/${server.id}`, { mtu: 1380 }).expect(200);
      const customer = await makeAccount(app, 'customer');
      const assignment = (await post('/api/admin/assignments', { server_id: server.id, account_id: customer.id }).expect(201)).body;
      await del(`/api/admin/assignments/${assignment.id}`).expect(200);
      await del(`/api/admin/servers/${server.id}`).expect(200);
      await del(`/api/admin/nodes/${node.id}`).expect(200);

      const [row] = await db.query('SELECT private_key_enc FROM server WHERE id = $1', [server.id]).catch(() => [undefined]);
      expect(row).toBeUndefined();
      const audit = await get(`/api/admin/audit?account_id=${admin.id}&limit=500`).expect(200);
      const actions = audit.body.entries
        .filter((e: { target_id: number; target_type: string }) =>
          (e.target_type === 'node' && e.target_id === node.id) ||
          (e.target_type === 'server' && e.target_id === server.id) ||
          (e.target_type === 'assignment' && e.target_id === assignment.id),
        )
        .map((e: { action: string }) => e.action)
        .reverse();
      expect(actions).toEqual(['node.create', 'server.create', 'server.update', 'assignment.create', 'assignment.delete', 'server.delete', 'node.delete']);
      expect(audit.text).not.toContain('PRIVATE KEY');
      expect(audit.text).not.toContain(body.ssh.private_key.split('\n')[1]);
    });
  });
});
