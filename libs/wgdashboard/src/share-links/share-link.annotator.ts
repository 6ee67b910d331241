import { Injectable } from '@nestjs/common';
import type { PeerAnnotator } from '../peers/peer-annotations.js';
import type { WgdConfigurationRef } from '../peers/wgd-peers.service.js';
import { formatLocalDateTime } from '../python-time.js';
import { toShareLinkJson, type WgdShareLinkJson } from './share-link.js';
import { WgdShareLinkStore } from './wgd-share-link-store.service.js';

/** A peer object's `ShareLink`: its active links (upstream keeps only those in memory). */
@Injectable()
export class ShareLinkAnnotator implements PeerAnnotator {
  readonly field = 'ShareLink';

  constructor(private readonly store: WgdShareLinkStore) {}

  async forConfiguration(configuration: WgdConfigurationRef, now: Date): Promise<Map<string, WgdShareLinkJson[]>> {
    const byPeer = new Map<string, WgdShareLinkJson[]>();
    for (const link of await this.store.activeOnServer(configuration.nodeId, configuration.server.id, formatLocalDateTime(now))) {
      // The configuration's name now: a link follows its peer through a rename.
      const json = toShareLinkJson(link, configuration.server.interface, link.peer);
      byPeer.set(link.peer, [...(byPeer.get(link.peer) ?? []), json]);
    }
    return byPeer;
  }
}
