import type { Provider } from '@nestjs/common';
import { WgdPeers } from '../peers/wgd-peers.service.js';
import { EmailPeerContexts } from './email-peer-contexts.js';
import { SmtpMailer } from './smtp-mailer.js';

/** What the e-mail routes need: the mailer, and the peers of the key's node (WgdPeers, provided by the routes module). */
export const EMAIL_PROVIDERS: Provider[] = [SmtpMailer, { provide: EmailPeerContexts, useExisting: WgdPeers }];
