import { Injectable } from '@nestjs/common';
import type { PeerLiveStatus } from './peers.dto.js';

/**
 * Observed peer state from the latest poll of each node. Nothing polls yet (next issue), so
 * every peer reads as offline and `?online=true` lists nobody; the poller replaces this class's
 * answers without any route changing.
 */
@Injectable()
export class PeerTelemetry {
  /** Live status per user id; users missing from the map are offline. */
  async statusOf(_serverId: number, _userIds: number[]): Promise<Map<number, PeerLiveStatus>> {
    return new Map();
  }

  /** Ids of the server's users with a handshake in the last 180 s. */
  async onlineUserIds(_serverId: number): Promise<number[]> {
    return [];
  }

  /** When the node was last polled and whether its interface was up. */
  async interfaceOf(_serverId: number): Promise<{ interface: 'up' | 'down' | 'unknown'; polledAt: Date | null }> {
    return { interface: 'unknown', polledAt: null };
  }
}
