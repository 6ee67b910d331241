import { loadConfig } from '@wgfleet/core';
import { simpleParser } from 'mailparser';
import { freePort } from '../../../../test/support/free-port.js';
import { startSmtpCapture, type SmtpCapture } from '../../../../test/support/smtp-capture.js';
import { smtpAccountOf, smtpReadiness, smtpTransportOptions } from './smtp-account.js';
import { SmtpMailer, withoutSecret } from './smtp-mailer.js';

const PASSWORD = 'pa55-w0rd-that-must-not-leak';
const account = (port: number, encryption = 'NONE', password = PASSWORD) =>
  loadConfig({
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(port),
    SMTP_USERNAME: 'mailer',
    SMTP_PASSWORD: password,
    SMTP_FROM: 'wgfleet@example.com',
    SMTP_ENCRYPTION: encryption,
  });

describe('smtp account', () => {
  it('is absent without SMTP_* and reads as not ready', () => {
    expect(smtpAccountOf(loadConfig({}))).toBeNull();
    expect(smtpReadiness(null)).toBe(false);
  });

  it('is ready with the from-address length, counted in code points as Python does', () => {
    expect(smtpReadiness(smtpAccountOf(account(25)))).toBe(19);
    expect(smtpReadiness({ ...smtpAccountOf(account(25))!, from: 'ü@例え.jp' })).toBe(7);
  });

  it.each([
    ['STARTTLS', { secure: false, requireTLS: true, ignoreTLS: false }],
    ['TLS', { secure: true, requireTLS: false, ignoreTLS: false }],
    ['NONE', { secure: false, requireTLS: false, ignoreTLS: true }],
  ])('%s maps to nodemailer’s TLS switches', (encryption, switches) => {
    const options = smtpTransportOptions(smtpAccountOf(account(587, encryption))!);
    expect(options).toMatchObject({ ...switches, host: '127.0.0.1', port: 587, auth: { user: 'mailer', pass: PASSWORD }, logger: false, disableFileAccess: true, disableUrlAccess: true });
  });

  it('scrubs the password from a text', () => {
    expect(withoutSecret(`server said ${PASSWORD}!`, PASSWORD)).toBe('server said [redacted]!');
    expect(withoutSecret('nothing here', '')).toBe('nothing here');
  });
});

describe('SmtpMailer against a real SMTP server on loopback', () => {
  let smtp: SmtpCapture;
  beforeAll(async () => {
    smtp = await startSmtpCapture({ username: 'mailer', password: PASSWORD });
  });
  afterAll(async () => {
    await smtp.close();
  });

  it('answers "SMTP not configured" without an account', async () => {
    expect(await new SmtpMailer(loadConfig({})).send({ to: 'peer@example.net', subject: 's', text: 'b' })).toEqual({ ok: false, message: 'SMTP not configured' });
  });

  it('logs in and delivers From, To, Subject, the text and an octet-stream attachment', async () => {
    const before = smtp.received.length;
    const outcome = await new SmtpMailer(account(smtp.port)).send({
      to: 'peer@example.net',
      subject: 'Your tunnel',
      text: 'Hello ✓\nline two',
      attachment: { filename: 'laptop.conf', content: '[Interface]\nPrivateKey = x\n' },
    });
    expect(outcome).toEqual({ ok: true });
    const mail = smtp.received[before];
    expect(mail).toMatchObject({ mailFrom: 'wgfleet@example.com', rcptTo: ['peer@example.net'], username: 'mailer' });
    const parsed = await simpleParser(mail.raw);
    expect(parsed.from?.text).toBe('wgfleet@example.com');
    expect(parsed.subject).toBe('Your tunnel');
    expect(parsed.text).toBe('Hello ✓\nline two');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({ filename: 'laptop.conf', contentDisposition: 'attachment' });
    // As upstream's MIMEBase("application", "octet-stream"); mailparser reports a type guessed from the name.
    expect(mail.raw.toString('latin1')).toContain('Content-Type: application/octet-stream; name=laptop.conf\r\n');
    expect(parsed.attachments[0].content.toString('utf8')).toBe('[Interface]\nPrivateKey = x\n');
    expect(mail.raw.toString('latin1')).not.toContain(PASSWORD);
  });

  it.each([['peer@example.net\r\nBcc: thief@example.org'], ['peer@example.net\n']])('refuses a receiver with a line break (%j) and sends nothing', async (to) => {
    const before = smtp.received.length;
    const outcome = await new SmtpMailer(account(smtp.port)).send({ to, subject: 's', text: 'b' });
    expect(outcome).toEqual({ ok: false, message: 'Send failed | Reason: the receiver must be one line' });
    expect(smtp.received).toHaveLength(before);
  });

  it('sends to each address of a comma-separated receiver', async () => {
    const before = smtp.received.length;
    expect(await new SmtpMailer(account(smtp.port)).send({ to: 'a@example.net, Bee <b@example.net>', subject: 's', text: 'b' })).toEqual({ ok: true });
    expect(smtp.received[before].rcptTo).toEqual(['a@example.net', 'b@example.net']);
  });

  it('fails in upstream’s words on a refused login, without the password', async () => {
    const wrong = `${PASSWORD}-wrong`;
    const outcome = await new SmtpMailer(account(smtp.port, 'NONE', wrong)).send({ to: 'peer@example.net', subject: 's', text: 'b' });
    expect(outcome.ok).toBe(false);
    const message = !outcome.ok ? outcome.message : '';
    expect(message).toMatch(/^Send failed \| Reason: .*535/);
    expect(message).not.toContain(PASSWORD);
  });

  it('insists on STARTTLS when told to, and the server does not offer it', async () => {
    const outcome = await new SmtpMailer(account(smtp.port, 'STARTTLS')).send({ to: 'peer@example.net', subject: 's', text: 'b' });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.message).toMatch(/^Send failed \| Reason: .*STARTTLS/);
  });

  it('fails on an address with nothing listening', async () => {
    const closed = await freePort();
    const outcome = await new SmtpMailer(account(closed)).send({ to: 'peer@example.net', subject: 's', text: 'b' });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.message).toMatch(new RegExp(`^Send failed \\| Reason: .*ECONNREFUSED 127\\.0\\.0\\.1:${closed}$`));
  });
});

describe('SmtpMailer verifies certificates', () => {
  it.each([
    ['STARTTLS', { starttls: true }],
    ['TLS', { implicitTls: true }],
  ])('%s refuses a self-signed server certificate', async (encryption, tls) => {
    const server = await startSmtpCapture({ username: 'mailer', password: PASSWORD, ...tls });
    try {
      const outcome = await new SmtpMailer(account(server.port, encryption)).send({ to: 'peer@example.net', subject: 's', text: 'b' });
      expect(outcome.ok).toBe(false);
      expect(!outcome.ok && outcome.message).toMatch(/^Send failed \| Reason: .*certificate/);
      expect(server.received).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});
