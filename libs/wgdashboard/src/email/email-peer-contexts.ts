import type { EmailTemplateContext } from './email-template.js';

/** A peer's template variables, or why there are none (upstream's two messages differ). */
export type PeerTemplateLookup = EmailTemplateContext | 'no-configuration' | 'no-peer';

/** Where the e-mail routes find a peer's data: the peers of the key's node, by configuration name and public key. */
export abstract class EmailPeerContexts {
  abstract templateContext(nodeId: number, configurationName: string, peerId: string): Promise<PeerTemplateLookup>;
}
