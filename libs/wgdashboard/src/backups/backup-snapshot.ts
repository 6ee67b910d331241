import type { StoredHooks } from '../configurations/raw-file.js';
import { renderDatabaseContent, type SqlPeerRow } from './sqlite-dump.js';

/** A peer as a backup keeps it: what a restore re-creates, and its upstream row for the `.sql` text. */
export interface BackupPeer {
  publicKey: string;
  name: string;
  privateKey: string | null;
  presharedKey: string | null;
  ipv4: string;
  ipv6: string | null;
  routedIps: string[];
  dns: string[] | null;
  allowedIps: string[];
  persistentKeepalive: number;
  restricted: boolean;
  /** A portal customer's user when the backup was made: shown, never re-created by a restore. */
  tenant: boolean;
  /** WGDashboard's own settings of the peer, as it showed them (`wgd_peer`). */
  wgd: { dns: string; endpointAllowedIp: string; mtu: number; remoteEndpoint: string };
  row: SqlPeerRow;
}

/** The interface settings a restore brings back. */
export interface BackupInterface {
  privateKey: string;
  ipv4Subnet: string;
  ipv6Subnet: string | null;
  listenPort: number;
  mtu: number | null;
  hooks: StoredHooks;
}

/** Everything a backup holds (sealed as JSON in `wgd_backup.snapshot`). */
export interface BackupSnapshot {
  version: 1;
  /** The configuration's wg-quick file at backup time (upstream's `.conf`). */
  content: string;
  iface: BackupInterface;
  peers: BackupPeer[];
}

/** A backup as upstream lists it (notes §1.8.3); `databaseContent` only in getAllWireguardConfigurationBackup. */
export interface BackupJson {
  filename: string;
  backupDate: string;
  content: string;
  database: true;
  databaseContent?: string;
  protocol?: 'wg';
}

/** `<Name>_<YYYYmmddHHMMSS>.conf` (UTC; upstream uses the machine's local time). */
export function backupFileName(configurationName: string, at: Date): string {
  return `${configurationName}_${backupStamp(at)}.conf`;
}

export function backupStamp(at: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  return `${at.getUTCFullYear()}${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}${two(at.getUTCHours())}${two(at.getUTCMinutes())}${two(at.getUTCSeconds())}`;
}

/** What follows `<Name>_` up to `.conf`: upstream reads the date from the file name. */
export function backupDateOf(configurationName: string, fileName: string): string {
  return fileName.slice(configurationName.length + 1, -'.conf'.length);
}

/** The `.sql` twin's text: active peers into `<Name>`, restricted ones into `<Name>_restrict_access`. */
export function databaseContentOf(configurationName: string, snapshot: BackupSnapshot): string {
  return renderDatabaseContent(
    configurationName,
    snapshot.peers.filter((peer) => !peer.restricted).map((peer) => peer.row),
    snapshot.peers.filter((peer) => peer.restricted).map((peer) => peer.row),
  );
}

export function toBackupJson(
  backup: { configurationName: string; fileName: string },
  snapshot: BackupSnapshot,
  options: { databaseContent?: boolean; protocol?: boolean } = {},
): BackupJson {
  return {
    filename: backup.fileName,
    backupDate: backupDateOf(backup.configurationName, backup.fileName),
    content: snapshot.content,
    // The peers are always part of a backup here: upstream's `.sql` twin always exists.
    database: true,
    ...(options.databaseContent ? { databaseContent: databaseContentOf(backup.configurationName, snapshot) } : {}),
    ...(options.protocol ? { protocol: 'wg' as const } : {}),
  };
}

/** A peer object (`toWgdPeer`) as upstream's table row: its fields, floats as plain numbers. */
export function sqlRowOf(peer: Record<string, unknown>): SqlPeerRow {
  const text = (key: string) => String(peer[key]);
  const real = (key: string) => {
    const value = peer[key] as number | { value: number };
    return typeof value === 'number' ? value : value.value;
  };
  return {
    id: text('id'),
    private_key: text('private_key'),
    DNS: text('DNS'),
    endpoint_allowed_ip: text('endpoint_allowed_ip'),
    name: text('name'),
    total_receive: real('total_receive'),
    total_sent: real('total_sent'),
    total_data: real('total_data'),
    endpoint: text('endpoint'),
    status: text('status'),
    latest_handshake: text('latest_handshake'),
    allowed_ip: text('allowed_ip'),
    cumu_receive: real('cumu_receive'),
    cumu_sent: real('cumu_sent'),
    cumu_data: real('cumu_data'),
    mtu: Number(peer.mtu),
    keepalive: Number(peer.keepalive),
    remote_endpoint: text('remote_endpoint'),
    preshared_key: text('preshared_key'),
  };
}
