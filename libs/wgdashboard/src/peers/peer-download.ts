// The file itself is rendered by `renderWgdashboardPeerFile` (@wgfleet/wireguard), every value checked.

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

/** `downloadAllPeers` numbers the untitled ones, `0_UntitledPeer`, `1_UntitledPeer`, … in list order. */
export function numberUntitled(files: Array<{ fileName: string; file: string }>): Array<{ fileName: string; file: string }> {
  let untitled = 0;
  return files.map((file) => (file.fileName === 'UntitledPeer' ? { ...file, fileName: `${untitled++}_UntitledPeer` } : file));
}
