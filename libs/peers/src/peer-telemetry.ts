import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { PeerStatus } from '@wgfleet/wireguard';
import type { PeerLiveStatus } from './peers.dto.js';

/** A handshake within this window means online (WireGuard re-handshakes every 2 minutes while in use). */
export const ONLINE_WINDOW_SECONDS = 180;

/** One poll of one server's interface: its peers as `wg show IF dump` reported them, or the interface missing. */
export interface ServerObservation {
  polledAt: Date;
  interfaceUp: boolean;
  peers: PeerStatus[];
}

/** One user's traffic in bytes: the node's counters now, and the total across interface restarts. */
export interface PeerTraffic {
  userId: number;
  rxRaw: number;
  txRaw: number;
  rxTotal: number;
  txTotal: number;
  latestHandshakeAt: Date | null;
  /** The peer's endpoint at the last poll that saw it. */
  endpoint: string | null;
  /** Whether any poll has seen the peer on its node. */
  seen: boolean;
}

interface PeerStatusRow {
  user_id: string;
  latest_handshake_at: Date | null;
  endpoint: string | null;
  rx_total: string;
  tx_total: string;
  online: boolean;
}

/**
 * Observed peer state from the latest poll of each node: the poller records, the API reads.
 * Byte totals are cumulative across interface restarts (the node's counters start again at zero:
 * a raw value below the last one means a restart, so all of it is new traffic).
 */
@Injectable()
export class PeerTelemetry {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Live status per user id; users missing from the map have never been seen (offline). */
  async statusOf(serverId: number, userIds: number[]): Promise<Map<number, PeerLiveStatus>> {
    if (userIds.length === 0) return new Map();
    const rows: PeerStatusRow[] = await this.dataSource.query(
      `SELECT user_id, latest_handshake_at, endpoint, rx_total, tx_total,
              coalesce(latest_handshake_at > now() - make_interval(secs => $3), false) AS online
         FROM peer_status WHERE server_id = $1 AND user_id = ANY($2::bigint[])`,
      [serverId, userIds, ONLINE_WINDOW_SECONDS],
    );
    return new Map(
      rows.map((row) => [
        Number(row.user_id),
        { online: row.online, lastSeen: row.latest_handshake_at, endpoint: row.endpoint, rxBytes: Number(row.rx_total), txBytes: Number(row.tx_total) },
      ]),
    );
  }

  /** Ids of the server's users with a handshake in the last 180 s. */
  async onlineUserIds(serverId: number): Promise<number[]> {
    const rows: Array<{ user_id: string }> = await this.dataSource.query(
      `SELECT user_id FROM peer_status WHERE server_id = $1 AND latest_handshake_at > now() - make_interval(secs => $2)`,
      [serverId, ONLINE_WINDOW_SECONDS],
    );
    return rows.map((row) => Number(row.user_id));
  }

  /** How many peers of each server had a handshake in the last 180 s at the latest polls, in one query (servers with none are absent). */
  async onlineCountByServer(): Promise<Map<number, number>> {
    const rows: Array<{ server_id: string; online: string }> = await this.dataSource.query(
      `SELECT server_id, count(*) AS online FROM peer_status WHERE latest_handshake_at > now() - make_interval(secs => $1) GROUP BY server_id`,
      [ONLINE_WINDOW_SECONDS],
    );
    return new Map(rows.map((row) => [Number(row.server_id), Number(row.online)]));
  }

  /**
   * The users of each server, oldest first — the active ones, or with `all` the restricted ones
   * too — with their traffic split as WGDashboard keeps it: what the node's counters say now
   * (`rxRaw`) and the cumulative total across interface restarts (`rxTotal`), in bytes, and the last
   * handshake. Users never polled read zeros.
   */
  async trafficByServer(serverIds: number[], scope: 'active' | 'all' = 'active'): Promise<Map<number, PeerTraffic[]>> {
    const byServer = new Map<number, PeerTraffic[]>(serverIds.map((id) => [id, []]));
    if (serverIds.length === 0) return byServer;
    const rows: Array<{
      server_id: string;
      user_id: string;
      rx_raw: string;
      tx_raw: string;
      rx_total: string;
      tx_total: string;
      latest_handshake_at: Date | null;
      endpoint: string | null;
      seen: boolean;
    }> = await this.dataSource.query(
      // The node's counters count from the interface's start; after a reset (resetTraffic) only what
      // the total has counted since is shown as this run's.
      `SELECT u.server_id, u.id AS user_id, coalesce(least(p.rx_last_raw, p.rx_total), 0) AS rx_raw, coalesce(least(p.tx_last_raw, p.tx_total), 0) AS tx_raw,
              coalesce(p.rx_total, 0) AS rx_total, coalesce(p.tx_total, 0) AS tx_total, p.latest_handshake_at, p.endpoint,
              p.user_id IS NOT NULL AS seen
         FROM wg_user u LEFT JOIN peer_status p ON p.user_id = u.id
        WHERE u.server_id = ANY($1::bigint[]) AND ($2 OR u.restricted_at IS NULL)
        ORDER BY u.server_id, u.id`,
      [serverIds, scope === 'all'],
    );
    for (const row of rows) {
      byServer.get(Number(row.server_id))!.push({
        userId: Number(row.user_id),
        rxRaw: Number(row.rx_raw),
        txRaw: Number(row.tx_raw),
        rxTotal: Number(row.rx_total),
        txTotal: Number(row.tx_total),
        latestHandshakeAt: row.latest_handshake_at,
        endpoint: row.endpoint,
        seen: row.seen,
      });
    }
    return byServer;
  }

  /**
   * Starts a user's byte totals again from zero (WGDashboard's resetPeerData): the next polls add
   * only what the node counts from now on. Received, sent, or both.
   */
  async resetTraffic(userId: number, which: 'receive' | 'sent' | 'total'): Promise<void> {
    const columns = { receive: 'rx_total = 0', sent: 'tx_total = 0', total: 'rx_total = 0, tx_total = 0' }[which];
    await this.dataSource.query(`UPDATE peer_status SET ${columns} WHERE user_id = $1`, [userId]);
  }

  /** Whether each server's interface was up at its last poll ('unknown' before the first). */
  async interfacesOf(serverIds: number[]): Promise<Map<number, 'up' | 'down' | 'unknown'>> {
    const states = new Map<number, 'up' | 'down' | 'unknown'>(serverIds.map((id) => [id, 'unknown']));
    if (serverIds.length === 0) return states;
    const rows: Array<{ server_id: string; interface: 'up' | 'down' }> = await this.dataSource.query(
      'SELECT server_id, interface FROM server_status WHERE server_id = ANY($1::bigint[])',
      [serverIds],
    );
    for (const row of rows) states.set(Number(row.server_id), row.interface);
    return states;
  }

  /** When the node was last polled and whether its interface was up. */
  async interfaceOf(serverId: number): Promise<{ interface: 'up' | 'down' | 'unknown'; polledAt: Date | null }> {
    const [row]: Array<{ interface: 'up' | 'down' | 'unknown'; polled_at: Date }> = await this.dataSource.query(
      'SELECT interface, polled_at FROM server_status WHERE server_id = $1',
      [serverId],
    );
    return row ? { interface: row.interface, polledAt: row.polled_at } : { interface: 'unknown', polledAt: null };
  }

  /**
   * Records one poll in one statement per table. Peers on the node that wgfleet does not hold
   * (drift, repaired by the reconciler) are ignored; a missing interface keeps the last totals.
   */
  async record(serverId: number, observation: ServerObservation): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO server_status (server_id, interface, polled_at) VALUES ($1, $2, $3)
         ON CONFLICT (server_id) DO UPDATE SET interface = EXCLUDED.interface, polled_at = EXCLUDED.polled_at`,
        [serverId, observation.interfaceUp ? 'up' : 'down', observation.polledAt],
      );
      if (!observation.interfaceUp || observation.peers.length === 0) return;
      await manager.query(
        `INSERT INTO peer_status AS s (user_id, server_id, latest_handshake_at, endpoint, rx_total, tx_total, rx_last_raw, tx_last_raw, updated_at)
         SELECT u.id, u.server_id, CASE WHEN o.handshake IS NULL THEN NULL ELSE to_timestamp(o.handshake) END, o.endpoint, o.rx, o.tx, o.rx, o.tx, $7
           FROM unnest($2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[]) AS o(public_key, handshake, endpoint, rx, tx)
           JOIN wg_user u ON u.server_id = $1 AND u.public_key = o.public_key
         ON CONFLICT (user_id) DO UPDATE SET
           latest_handshake_at = EXCLUDED.latest_handshake_at,
           endpoint = EXCLUDED.endpoint,
           rx_total = s.rx_total + CASE WHEN EXCLUDED.rx_last_raw >= s.rx_last_raw THEN EXCLUDED.rx_last_raw - s.rx_last_raw ELSE EXCLUDED.rx_last_raw END,
           tx_total = s.tx_total + CASE WHEN EXCLUDED.tx_last_raw >= s.tx_last_raw THEN EXCLUDED.tx_last_raw - s.tx_last_raw ELSE EXCLUDED.tx_last_raw END,
           rx_last_raw = EXCLUDED.rx_last_raw,
           tx_last_raw = EXCLUDED.tx_last_raw,
           updated_at = EXCLUDED.updated_at`,
        [
          serverId,
          observation.peers.map((peer) => peer.publicKey),
          observation.peers.map((peer) => peer.latestHandshakeAt),
          observation.peers.map((peer) => peer.endpoint),
          observation.peers.map((peer) => peer.rxBytes),
          observation.peers.map((peer) => peer.txBytes),
          observation.polledAt,
        ],
      );
    });
  }
}
