import { Writable } from 'node:stream';
import { createLogger } from './create-logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

const PRIVATE_KEY = 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=';
const API_KEY = 'wg_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ABCDEF0123';

describe('createLogger', () => {
  it('writes one JSON object per line with an ISO time and a level label', () => {
    const { lines, logger } = capture();
    logger.info({ reqId: 'r1' }, 'hello');
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ level: 'info', msg: 'hello', reqId: 'r1', service: 'wgfleet' });
    expect(new Date(line.time).toISOString()).toBe(line.time);
  });

  it.each([
    ['an authorization header', { req: { headers: { authorization: `Bearer ${API_KEY}` } } }],
    ['a WGDashboard API key header', { req: { headers: { 'wg-dashboard-apikey': API_KEY } } }],
    ['a top-level private key', { privateKey: PRIVATE_KEY }],
    ['a nested private_key', { user: { private_key: PRIVATE_KEY } }],
    ['a twice-nested preshared key', { body: { keys: { preshared_key: PRIVATE_KEY } } }],
    ['a client_private_key', { response: { client_private_key: PRIVATE_KEY } }],
    ['an api key field', { created: { key: API_KEY } }],
    ['the SMTP password variable', { config: { SMTP_PASSWORD: API_KEY } }],
    ['nodemailer’s auth.pass', { transport: { auth: { user: 'mailer', pass: API_KEY } } }],
  ])('redacts %s', (_label, fields) => {
    const { lines, logger } = capture();
    logger.info(fields, 'event');
    expect(lines[0]).not.toContain(PRIVATE_KEY);
    expect(lines[0]).not.toContain(API_KEY);
    expect(lines[0]).toContain('[redacted]');
  });
});
