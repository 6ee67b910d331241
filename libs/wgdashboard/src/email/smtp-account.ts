import type { AppConfig } from '@wgfleet/core';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';

/** The SMTP_* variables, present only when all of them are (app-config validates that at boot). */
export interface SmtpAccount {
  host: string;
  port: number;
  username: string;
  password: string;
  from: string;
  encryption: 'STARTTLS' | 'TLS' | 'NONE';
}

export function smtpAccountOf(config: AppConfig): SmtpAccount | null {
  const { SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, SMTP_FROM, SMTP_ENCRYPTION } = config;
  if (!SMTP_HOST || !SMTP_PORT || !SMTP_USERNAME || !SMTP_PASSWORD || !SMTP_FROM || !SMTP_ENCRYPTION) return null;
  return { host: SMTP_HOST, port: SMTP_PORT, username: SMTP_USERNAME, password: SMTP_PASSWORD, from: SMTP_FROM, encryption: SMTP_ENCRYPTION };
}

/**
 * Upstream's `EmailSender.ready()` (4.2.2+, notes §2.49): `len(server) > 0 and … and len(send_from)`,
 * so a configured sender answers the INTEGER length of its from-address (Python counts code points).
 */
export function smtpReadiness(account: SmtpAccount | null): number | false {
  return account ? [...account.from].length : false;
}

/**
 * How nodemailer reaches the server. STARTTLS must upgrade (upstream calls `starttls()`, which fails
 * when the server cannot); NONE never upgrades (upstream does not unless told to); TLS is implicit TLS
 * from the first byte (port 465), which upstream lacks. Certificates are always verified.
 */
export function smtpTransportOptions(account: SmtpAccount): SMTPTransport.Options {
  return {
    host: account.host,
    port: account.port,
    secure: account.encryption === 'TLS',
    requireTLS: account.encryption === 'STARTTLS',
    ignoreTLS: account.encryption === 'NONE',
    auth: { user: account.username, pass: account.password },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    // Never nodemailer's own logging: it would write the conversation, AUTH included.
    logger: false,
    debug: false,
    // A message is built only from the strings given here; nothing may make nodemailer read a file or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
