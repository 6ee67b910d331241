import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@wgfleet/core';
import { createTransport } from 'nodemailer';
import { smtpAccountOf, smtpReadiness, smtpTransportOptions, type SmtpAccount } from './smtp-account.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  attachment?: { filename: string; content: string };
}

export type SendOutcome = { ok: true } | { ok: false; message: string };

/** Sends the WGDashboard API's e-mail through the SMTP account of the environment (SMTP_*). */
@Injectable()
export class SmtpMailer {
  private readonly logger = new Logger(SmtpMailer.name);
  private readonly account: SmtpAccount | null;

  constructor(config: AppConfig) {
    this.account = smtpAccountOf(config);
  }

  readiness(): number | false {
    return smtpReadiness(this.account);
  }

  /** One connection per message, as upstream opens one per send; failures in upstream's words. */
  async send(mail: OutgoingMail): Promise<SendOutcome> {
    const account = this.account;
    if (!account) return { ok: false, message: 'SMTP not configured' };
    // nodemailer would read a line break as address-list syntax (`a@x\r\nBcc: b@y` goes to b@y alone);
    // Python's smtplib refuses line breaks in an SMTP command, so upstream fails here too.
    if (/[\r\n]/.test(mail.to)) return { ok: false, message: 'Send failed | Reason: the receiver must be one line' };
    const transport = createTransport(smtpTransportOptions(account));
    try {
      await transport.sendMail({
        from: account.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        attachments: mail.attachment
          ? [{ filename: mail.attachment.filename, content: mail.attachment.content, contentType: 'application/octet-stream' }]
          : [],
      });
      return { ok: true };
    } catch (error) {
      const reason = withoutSecret(error instanceof Error ? error.message : String(error), account.password);
      this.logger.warn(`e-mail to the SMTP server ${account.host}:${account.port} failed: ${reason}`);
      return { ok: false, message: `Send failed | Reason: ${reason}` };
    } finally {
      transport.close();
    }
  }
}

/** nodemailer's messages do not carry the password; this keeps it that way whatever a server answers. */
export function withoutSecret(text: string, secret: string): string {
  return secret.length > 0 ? text.split(secret).join('[redacted]') : text;
}
