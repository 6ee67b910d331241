import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as the SMTP server received it: the SMTP envelope, the login, the raw bytes. */
export interface CapturedMail {
  mailFrom: string | null;
  rcptTo: string[];
  username: string | undefined;
  raw: Buffer;
}

export interface SmtpCapture {
  port: number;
  /** Messages accepted so far, oldest first. */
  received: CapturedMail[];
  close(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 and a free port (the `smtp-server` package), accepting AUTH
 * PLAIN/LOGIN for one account and keeping what it receives. `starttls` offers STARTTLS with the
 * package's built-in self-signed certificate (a client that verifies must refuse it); `implicitTls`
 * speaks TLS from the first byte with that same certificate.
 */
export async function startSmtpCapture(options: { username: string; password: string; starttls?: boolean; implicitTls?: boolean }): Promise<SmtpCapture> {
  const received: CapturedMail[] = [];
  const server = new SMTPServer({
    secure: options.implicitTls === true,
    disabledCommands: options.starttls || options.implicitTls ? [] : ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.username && auth.password === options.password) return callback(null, { user: auth.username });
      return callback(new Error('Authentication credentials invalid'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          username: session.user as string | undefined,
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  // The library logs "connection closed" errors of clients that hang up; nothing to act on here.
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
