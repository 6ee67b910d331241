/** What a peer's downloadable wg-quick file is made of (notes §2.27). */
export interface PeerFileSource {
  name: string;
  privateKey: string;
  /** The peer's `allowed_ip` as WGDashboard shows it: `10.0.0.2/32` or `10.0.0.2/32, fd42::2/128`. */
  allowedIp: string;
  mtu: number;
  dns: string;
  serverPublicKey: string;
  endpointAllowedIp: string;
  remoteEndpoint: string;
  listenPort: number;
  keepalive: number;
  presharedKey: string;
}

// Upstream removes these substrings from a name, in this order, case-sensitively: `|"` is one
// two-character item (a bug there: a lone `|` or `"` stays until the character filter below).
const REMOVED_SUBSTRINGS = ['.', ',', '/', '?', '<', '>', '\\', ':', '*', '|"', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [`com${n}`, `lpt${n}`]), 'con', 'nul', 'prn'];

/**
 * The download's `fileName`: the peer's name (or `UntitledPeer`) without spaces, reserved
 * substrings and every character outside `[a-zA-Z0-9_=+.-]` — so `falcon` becomes `fal`, as upstream.
 */
export function peerFileName(name: string): string {
  let fileName = (name === '' ? 'UntitledPeer' : name).replaceAll(' ', '');
  for (const removed of REMOVED_SUBSTRINGS) fileName = fileName.replaceAll(removed, '');
  return fileName.replace(/[^a-zA-Z0-9_=+.-]/g, '');
}

/** The file upstream renders for a peer: every line ends with `\n`; DNS and PresharedKey only when set. */
export function renderPeerFile(peer: PeerFileSource): string {
  const lines = [
    '[Interface]',
    `PrivateKey = ${peer.privateKey}`,
    `Address = ${peer.allowedIp}`,
    `MTU = ${peer.mtu}`,
    ...(peer.dns === '' ? [] : [`DNS = ${peer.dns}`]),
    '',
    '[Peer]',
    `PublicKey = ${peer.serverPublicKey}`,
    `AllowedIPs = ${peer.endpointAllowedIp}`,
    `Endpoint = ${peer.remoteEndpoint}:${peer.listenPort}`,
    `PersistentKeepalive = ${peer.keepalive}`,
    ...(peer.presharedKey === '' ? [] : [`PresharedKey = ${peer.presharedKey}`]),
  ];
  return lines.map((line) => `${line}\n`).join('');
}

/** `downloadAllPeers` numbers the untitled ones, `0_UntitledPeer`, `1_UntitledPeer`, … in list order. */
export function numberUntitled(files: Array<{ fileName: string; file: string }>): Array<{ fileName: string; file: string }> {
  let untitled = 0;
  return files.map((file) => (file.fileName === 'UntitledPeer' ? { ...file, fileName: `${untitled++}_UntitledPeer` } : file));
}
