import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { simpleParser } from 'mailparser';
import request from 'supertest';
import { assign, makeServer } from '../support/fleet-factory.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';
import { wgdFixture } from '../support/wgd-fixtures.js';

/**
 * email/ready, email/previewBody, email/send (notes §2.49-2.51) with the SMTP account of the
 * environment pointing at a real SMTP server on loopback, which keeps what it receives.
 */
describe('WGDashboard API: e-mail', () => {
  const PASSWORD = 'smtp-secret-never-shown';
  let smtp: SmtpCapture;
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let key: string;
  let peer: { id: string; allowedIp: string };

  beforeAll(async () => {
    smtp = await startSmtpCapture({ username: 'mailer', password: PASSWORD });
    app = await startTestApp({
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_USERNAME: 'mailer',
      SMTP_PASSWORD: PASSWORD,
      SMTP_FROM: 'wgfleet@example.com',
      SMTP_ENCRYPTION: 'NONE',
    });
    http = app.getHttpServer();
    const admin = await makeAccount(app, 'admin');
    // The key's node has one configuration, wg0, with one peer: a portal user made the portal's way.
    const server = await makeServer(app, { ipv4Subnet: '10.0.30.0/24', ipv6Subnet: null, listenPort: 51830 });
    key = (await request(http).post(`/api/admin/nodes/${server.nodeId}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
    const customer = await makeAccount(app, 'customer');
    const assignment = await assign(app, server.serverId, customer.id);
    const user = await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).send({ client_name: 'laptop-1' }).expect(201);
    peer = { id: user.body.public_key, allowedIp: `${user.body.client_ip}/32` };
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  const post = (path: string, body: unknown) =>
    request(http).post(`/api/email/${path}`).set('wg-dashboard-apikey', key).set('Content-Type', 'application/json').send(JSON.stringify(body));
  /** Sends, then hands back the answer and the message the server received for it (if any). */
  const send = async (body: unknown) => {
    const before = smtp.received.length;
    const res = await post('send', body);
    return { res, mail: smtp.received.length > before ? smtp.received[before] : undefined };
  };

  describe('email/ready', () => {
    it('is the from-address length, an int, when SMTP_* are all set', async () => {
      const res = await request(http).get('/api/email/ready').set('wg-dashboard-apikey', key).expect(200);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.text).toBe('{"data":null,"message":null,"status":19}\n');
    });

    it('needs a key', async () => {
      const res = await request(http).get('/api/email/ready').expect(401);
      expect(res.text).toBe('{"data":null,"message":"Unauthorized access.","status":false}\n');
    });
  });

  describe('email/send', () => {
    it('sends Subject and Body to Receiver from SMTP_FROM, logged in as SMTP_USERNAME', async () => {
      const { res, mail } = await send({ Receiver: 'peer@example.net', Subject: 'Your tunnel', Body: 'Hello,\nyour tunnel is ready.' });
      expect(res.status).toBe(200);
      expect(res.text).toBe('{"data":null,"message":null,"status":true}\n');
      expect(mail).toMatchObject({ mailFrom: 'wgfleet@example.com', rcptTo: ['peer@example.net'], username: 'mailer' });
      const { headers, body } = rawParts(mail!.raw);
      expect(headers).toEqual(expect.arrayContaining(['From: wgfleet@example.com', 'To: peer@example.net', 'Subject: Your tunnel', 'Content-Type: text/plain; charset=utf-8']));
      // SMTP carries lines ending in CRLF, and DATA always ends with one.
      expect(body).toBe('Hello,\r\nyour tunnel is ready.\r\n');
    });

    it('sends the body as written, unrendered and without attachment, when no configuration is found (as upstream)', async () => {
      const { res, mail } = await send({ Receiver: 'peer@example.net', Body: 'Hi {{ peer.name }}\n{% bad tag %}', ConfigurationName: 'nosuchwg', Peer: 'x', IncludeAttachment: true });
      expect(res.text).toBe('{"data":null,"message":null,"status":true}\n');
      const { headers, body } = rawParts(mail!.raw);
      expect(headers).toContain('Content-Type: text/plain; charset=utf-8');
      expect(body).toBe('Hi {{ peer.name }}\r\n{% bad tag %}\r\n');
      expect(headers.some((header) => header.startsWith('Subject:'))).toBe(false);
    });

    it('renders the body for the peer and attaches its .conf, named after the peer', async () => {
      const { res, mail } = await send({
        Receiver: 'laptop@example.net',
        Subject: 'Your WireGuard',
        Body: 'Hi {{ peer.name }}, see {{ configurationFile.fileName }}.conf\n',
        ConfigurationName: 'wg0',
        Peer: peer.id,
        IncludeAttachment: true,
      });
      expect(res.text).toBe('{"data":null,"message":null,"status":true}\n');
      expect(mail).toMatchObject({ mailFrom: 'wgfleet@example.com', rcptTo: ['laptop@example.net'] });
      const file = JSON.parse((await post('previewBody', { Body: '{{ configurationFile.file }}', ConfigurationName: 'wg0', Peer: peer.id })).text).data as string;
      const parsed = await simpleParser(mail!.raw);
      expect(parsed.subject).toBe('Your WireGuard');
      expect(parsed.text).toBe('Hi laptop-1, see laptop-1.conf');
      expect(parsed.attachments).toHaveLength(1);
      expect(parsed.attachments[0].filename).toBe('laptop-1.conf');
      expect(parsed.attachments[0].content.toString('utf8')).toBe(file);
      expect(mail!.raw.toString('latin1')).toContain('Content-Type: application/octet-stream; name=laptop-1.conf\r\n');
      expect(mail!.raw.toString('latin1')).toContain('Content-Disposition: attachment; filename=laptop-1.conf\r\n');
    });

    it('attaches nothing when IncludeAttachment is false', async () => {
      const { res, mail } = await send({ Receiver: 'laptop@example.net', Body: '{{ peer.name }}', ConfigurationName: 'wg0', Peer: peer.id, IncludeAttachment: false });
      expect(res.text).toBe('{"data":null,"message":null,"status":true}\n');
      expect(rawParts(mail!.raw)).toMatchObject({ body: 'laptop-1\r\n' });
      expect((await simpleParser(mail!.raw)).attachments).toHaveLength(0);
    });

    it('sends the body as written for an unknown peer of a known configuration (as upstream)', async () => {
      const { res, mail } = await send({ Receiver: 'laptop@example.net', Body: 'Hi {{ peer.name }}', ConfigurationName: 'wg0', Peer: 'nope', IncludeAttachment: true });
      expect(res.text).toBe('{"data":null,"message":null,"status":true}\n');
      expect(rawParts(mail!.raw).body).toBe('Hi {{ peer.name }}\r\n');
    });

    it('answers a template that cannot render with status:false and sends nothing (upstream: 500, or code execution)', async () => {
      const { res, mail } = await send({ Receiver: 'laptop@example.net', Body: "{{ peer.constructor.constructor('return process')() }}", ConfigurationName: 'wg0', Peer: peer.id });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toEqual({ data: null, message: expect.any(String), status: false });
      expect(mail).toBeUndefined();
    });

    it('keeps a header injection in Subject inside the subject', async () => {
      const { res, mail } = await send({ Receiver: 'peer@example.net', Subject: 'Hi\r\nBcc: thief@example.org', Body: 'b' });
      expect(res.text).toBe('{"data":null,"message":null,"status":true}\n');
      expect(mail!.rcptTo).toEqual(['peer@example.net']);
      const headers = mail!.raw.toString('latin1').split('\r\n\r\n')[0];
      expect(headers).not.toMatch(/^Bcc:/im);
      expect((await simpleParser(mail!.raw)).bcc).toBeUndefined();
    });

    it('answers "Please at least specify receiver" for no Receiver', async () => {
      const { res, mail } = await send({});
      expect(res.status).toBe(200);
      expect(res.text).toBe('{"data":null,"message":"Please at least specify receiver","status":false}\n');
      expect(mail).toBeUndefined();
    });

    it('refuses a body that is not an object with 422, saying to send one, and sends nothing', async () => {
      const { res, mail } = await send([]);
      expect(res.status).toBe(422);
      expect(JSON.parse(res.text)).toEqual({ data: null, message: expect.stringContaining('send a JSON object'), status: false });
      expect(mail).toBeUndefined();
    });

    it('fails in upstream’s words when the server refuses the recipients', async () => {
      const { res, mail } = await send({ Receiver: '', Body: 'b' });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toEqual({ data: null, message: expect.stringMatching(/^Send failed \| Reason: ./), status: false });
      expect(res.text).not.toContain(PASSWORD);
      expect(mail).toBeUndefined();
    });

    it.each([
      ['Receiver', { Receiver: 5 }, 'Receiver must be a string: the e-mail address to send to'],
      ['Subject', { Receiver: 'peer@example.net', Subject: ['s'] }, 'Subject must be a string: text'],
      ['Body', { Receiver: 'peer@example.net', Body: null }, 'Body must be a string: text'],
    ])('answers 400 saying what to send for a %s that is not text (upstream: 500)', async (_label, body, message) => {
      const { res, mail } = await send(body);
      expect(res.status).toBe(400);
      expect(res.text).toBe(`{"data":null,"message":"${message}","status":false}\n`);
      expect(mail).toBeUndefined();
    });
  });

  describe('email/previewBody', () => {
    it.each([
      ['an empty Body', { Body: '' }, 'Nothing to preview'],
      ['no Body', { ConfigurationName: 'wg0', Peer: 'x' }, 'Nothing to preview'],
      ['no Peer', { Body: 'x', ConfigurationName: 'wg0' }, 'Please specify configuration and peer'],
      ['no ConfigurationName', { Body: 'x', Peer: 'x' }, 'Please specify configuration and peer'],
      ['an unknown configuration', { Body: 'x', ConfigurationName: 'nosuchwg', Peer: 'x' }, 'Please specify configuration and peer'],
      ['a ConfigurationName that is not text', { Body: 'x', ConfigurationName: ['wg0'], Peer: 'x' }, 'Please specify configuration and peer'],
    ])('answers "%s" with upstream’s message', async (_label, body, message) => {
      const res = await post('previewBody', body).expect(200);
      expect(res.text).toBe(`{"data":null,"message":"${message}","status":false}\n`);
    });

    it('answers 400 for a Body that is not text (upstream: 500)', async () => {
      const res = await post('previewBody', { Body: 5, ConfigurationName: 'wg0', Peer: 'x' }).expect(400);
      expect(res.text).toBe('{"data":null,"message":"Body must be a string: text","status":false}\n');
    });

    it('renders the peer’s fields and file name as upstream’s fixture does, one trailing newline dropped', async () => {
      const template = 'Hi {{ peer.name }} ({{ peer.allowed_ip }}), file {{ configurationFile.fileName }}.conf\n';
      const res = await post('previewBody', { Body: template, ConfigurationName: 'wg0', Peer: peer.id }).expect(200);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.text).toBe(`{"data":"Hi laptop-1 (${peer.allowedIp}), file laptop-1.conf","message":null,"status":true}\n`);
    });

    it('renders the configuration inside the peer and the peer’s .conf', async () => {
      const res = await post('previewBody', { Body: '{{ peer.configuration.Name }}:{{ peer.configuration.ListenPort }}|{{ configurationFile.file }}', ConfigurationName: 'wg0', Peer: peer.id }).expect(200);
      const data = JSON.parse(res.text).data as string;
      expect(data.startsWith('wg0:51830|[Interface]\n')).toBe(true);
      expect(data).toContain(`Address = ${peer.allowedIp}\n`);
    });

    it('answers upstream’s recorded "Peer does not exist" for an unknown peer of a known configuration', async () => {
      const fixture = wgdFixture('email-previewBody-unknown-peer');
      const res = await post('previewBody', JSON.parse(fixture.request.body as string)).expect(fixture.status);
      expect(res.text).toBe(fixture.body);
    });

    it.each([
      ["{{ peer.constructor.constructor('return process')() }}"],
      ["{% include '/etc/passwd' %}"],
      ["{{ ''.__class__.__mro__[1].__subclasses__() }}"],
      ['{{ peer.name | upper }}'],
    ])('fails cleanly, HTTP 200 and status:false with the engine’s message, for %s', async (template) => {
      const res = await post('previewBody', { Body: template, ConfigurationName: 'wg0', Peer: peer.id }).expect(200);
      const answer = JSON.parse(res.text);
      expect(answer).toEqual({ data: null, message: expect.any(String), status: false });
      expect(answer.message).not.toMatch(/root:|uid=|function/);
    });

    it.each([
      ['{{ peer.constructor }}'],
      ['{{ self }}{{ config }}{{ process.env }}'],
      ["{{ peer['__proto__'] }}"],
    ])('renders nothing for %s', async (template) => {
      const res = await post('previewBody', { Body: template, ConfigurationName: 'wg0', Peer: peer.id }).expect(200);
      expect(res.text).toBe('{"data":"","message":null,"status":true}\n');
    });
  });
});

/** A received message's header lines and its body, as they crossed the wire. */
function rawParts(raw: Buffer): { headers: string[]; body: string } {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  return { headers: text.slice(0, end).split('\r\n'), body: text.slice(end + 4) };
}
