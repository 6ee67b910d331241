import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { simpleParser } from 'mailparser';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

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
    const [node] = await app.get(DataSource).query(`INSERT INTO node (name, transport, public_ipv4) VALUES ($1, 'local', '198.51.100.35') RETURNING id`, [
      `wgd-email-${process.pid}-${Date.now()}`,
    ]);
    key = (await request(http).post(`/api/admin/nodes/${node.id}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
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

    it('keeps a header injection in Subject inside the subject', async () => {
      const { res, mail } = await send({ Receiver: 'peer@example.net', Subject: 'Hi\r\nBcc: thief@example.org', Body: 'b' });
      expect(res.text).toBe('{"data":null,"message":null,"status":true}\n');
      expect(mail!.rcptTo).toEqual(['peer@example.net']);
      const headers = mail!.raw.toString('latin1').split('\r\n\r\n')[0];
      expect(headers).not.toMatch(/^Bcc:/im);
      expect((await simpleParser(mail!.raw)).bcc).toBeUndefined();
    });

    it.each([
      ['no Receiver', {}],
      ['a body that is not an object', []],
    ])('answers "Please at least specify receiver" for %s', async (_label, body) => {
      const { res, mail } = await send(body);
      expect(res.status).toBe(200);
      expect(res.text).toBe('{"data":null,"message":"Please at least specify receiver","status":false}\n');
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
  });
});

/** A received message's header lines and its body, as they crossed the wire. */
function rawParts(raw: Buffer): { headers: string[]; body: string } {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  return { headers: text.slice(0, end).split('\r\n'), body: text.slice(end + 4) };
}
