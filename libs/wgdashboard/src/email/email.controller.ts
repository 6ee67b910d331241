import { Body, Controller, Get, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { WgdRequest } from '../wgd-auth.guard.js';
import { pythonTruthy } from '../python-truthy.js';
import { wgdFail, WgdHttpError, wgdOk, type WgdResult } from '../wgd-result.js';
import { WgdPost, WgdRoutes } from '../wgd-routes.decorator.js';
import { EmailPeerContexts, type PeerTemplateLookup } from './email-peer-contexts.js';
import { renderEmailBody } from './email-template.js';
import { SmtpMailer, type OutgoingMail } from './smtp-mailer.js';
import { asObject } from '../wgd-request.js';

/**
 * E-mail to a peer (notes §2.49-2.51): the SMTP account comes from the environment, the body is a
 * sandboxed Liquid template over the peer's data (upstream's Jinja ran code: notes §4.2).
 */
@WgdRoutes()
@ApiExcludeController()
@Controller('api/email')
export class EmailController {
  constructor(
    private readonly mailer: SmtpMailer,
    private readonly peers: EmailPeerContexts,
  ) {}

  /** 4.2.2+: the from-address's length (an int) when every SMTP field is set, else false. */
  @Get('ready')
  ready(): WgdResult {
    return { status: this.mailer.readiness(), message: null, data: null };
  }

  @WgdPost('previewBody')
  async previewBody(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    const fields = asObject(body);
    const template = optionalText(fields, 'Body');
    if (template === '') return wgdFail('Nothing to preview');
    const found = await this.lookup(request, fields);
    if (found === null || found === 'no-configuration') return wgdFail('Please specify configuration and peer');
    if (found === 'no-peer') return wgdFail('Peer does not exist');
    const rendered = renderEmailBody(template, found);
    return rendered.ok ? wgdOk(rendered.text) : wgdFail(rendered.message);
  }

  /**
   * Upstream renders the body only when the configuration and the peer are found, and otherwise
   * sends it as written; the attachment likewise exists only with a peer.
   */
  @WgdPost('send')
  async send(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    const fields = asObject(body);
    if (!('Receiver' in fields)) return wgdFail('Please at least specify receiver');
    const mail: OutgoingMail = {
      to: requiredText(fields, 'Receiver', 'the e-mail address to send to'),
      subject: optionalText(fields, 'Subject'),
      text: optionalText(fields, 'Body'),
    };
    const found = await this.lookup(request, fields);
    if (found !== null && typeof found === 'object') {
      const rendered = renderEmailBody(mail.text, found);
      // Upstream answers a template error here with a 500; this says what went wrong instead.
      if (!rendered.ok) return wgdFail(rendered.message);
      mail.text = rendered.text;
      if (pythonTruthy(fields.IncludeAttachment)) {
        // Named after the peer (upstream: a random uuid4.conf), as downloadPeer names it.
        mail.attachment = { filename: `${found.configurationFile.fileName || 'UntitledPeer'}.conf`, content: found.configurationFile.file };
      }
    }
    const outcome = await this.mailer.send(mail);
    return outcome.ok ? wgdOk() : wgdFail(outcome.message);
  }

  /** null when the body does not name both a configuration and a peer. */
  private async lookup(request: WgdRequest, fields: Record<string, unknown>): Promise<PeerTemplateLookup | null> {
    if (!('ConfigurationName' in fields) || !('Peer' in fields)) return null;
    const { ConfigurationName: name, Peer: peer } = fields;
    // Upstream looks a non-string up and does not find it: no configuration, or no peer by that key.
    if (typeof name !== 'string') return 'no-configuration';
    return this.peers.templateContext(request.wgdGrant!.nodeId, name, typeof peer === 'string' ? peer : '');
  }
}

/** Upstream's `data.get(name, '')`; a value that is not text crashed it (500), here it is a 400 saying what to send. */
function optionalText(fields: Record<string, unknown>, name: string): string {
  if (!(name in fields)) return '';
  return requiredText(fields, name, 'text');
}

function requiredText(fields: Record<string, unknown>, name: string, what: string): string {
  const value = fields[name];
  if (typeof value !== 'string') throw new WgdHttpError(400, `${name} must be a string: ${what}`);
  return value;
}
