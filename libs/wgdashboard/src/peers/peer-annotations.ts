import type { WgdConfigurationRef } from './wgd-peers.service.js';

/**
 * Fills one list field of upstream's peer object (`ShareLink`, `jobs`) for a configuration's peers.
 * Share links and peer jobs live in their own parts of this module; the peer views ask each
 * annotator registered under PEER_ANNOTATORS (wgdashboard.module.ts) instead of knowing them.
 */
export interface PeerAnnotator {
  readonly field: 'ShareLink' | 'jobs';
  /** The field's items per peer public key; peers missing from the map get `[]`. */
  forConfiguration(configuration: WgdConfigurationRef, now: Date): Promise<Map<string, unknown[]>>;
}

export const PEER_ANNOTATORS = Symbol('PEER_ANNOTATORS');
