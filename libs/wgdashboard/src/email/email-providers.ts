import type { Provider } from '@nestjs/common';
import { EmailPeerContexts, type PeerTemplateLookup } from './email-peer-contexts.js';
import { SmtpMailer } from './smtp-mailer.js';

/**
 * What the e-mail routes need. Until the peers of a configuration are served by this module, no
 * configuration is found: previewBody answers "Please specify configuration and peer" and send
 * sends the body as written, as upstream does for an unknown configuration.
 */
export const EMAIL_PROVIDERS: Provider[] = [
  SmtpMailer,
  { provide: EmailPeerContexts, useValue: { templateContext: async (): Promise<PeerTemplateLookup> => 'no-configuration' } },
];
