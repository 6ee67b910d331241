// Micro-benchmarks of the pure WireGuard core (libs/wireguard), each next to a baseline measured in the
// same run so the ratio survives a noisy machine. Needs `npm run build` first (reads dist/).
// Run: node bench/core-bench.mjs   — or import { runCoreBench } and merge the rows.
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const RUNS = 11;
const WARMUPS = 3;
const PEERS = 10_000;
const USED_ADDRESSES = 50_000;
const KEYS_PER_RUN = 300;

function loadCore() {
  try {
    return require('../dist/libs/wireguard/src/index.js');
  } catch (error) {
    throw new Error(`dist/libs/wireguard is missing or broken; run \`npm run build\` first (${error.message})`);
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median milliseconds of `action` over RUNS runs after WARMUPS unmeasured ones. */
function medianMs(action) {
  for (let i = 0; i < WARMUPS; i++) action();
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    action();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

function fakeKey(index, salt) {
  const bytes = Buffer.alloc(32, salt);
  bytes.writeUInt32BE(index, 0);
  return bytes.toString('base64');
}

function makeDump(peerCount) {
  const lines = [`${fakeKey(0, 1)}\t${fakeKey(0, 2)}\t51820\toff`];
  for (let i = 0; i < peerCount; i++) {
    const handshake = i % 3 === 0 ? 0 : 1_700_000_000 + i;
    const endpoint = handshake === 0 ? '(none)' : `198.19.${(i >> 8) & 255}.${i & 255}:${40_000 + (i % 20_000)}`;
    const psk = i % 2 === 0 ? fakeKey(i, 4) : '(none)';
    const v4 = `10.20.${(i + 2) >> 8}.${(i + 2) & 255}/32`;
    const v6 = `fd42:66:1::${(i + 2).toString(16)}/128`;
    lines.push(`${fakeKey(i, 3)}\t${psk}\t${endpoint}\t${v4},${v6}\t${handshake}\t${i * 1000}\t${i * 2000}\t${i % 4 === 0 ? 25 : 'off'}`);
  }
  return `${lines.join('\n')}\n`;
}

function makePeerSet(peerCount) {
  const peers = [];
  for (let i = 0; i < peerCount; i++) {
    peers.push({
      publicKey: fakeKey(i, 3),
      presharedKey: i % 2 === 0 ? fakeKey(i, 4) : null,
      allowedIps: [`10.20.${(i + 2) >> 8}.${(i + 2) & 255}/32`, `fd42:66:1::${(i + 2).toString(16)}/128`],
    });
  }
  return { privateKey: fakeKey(0, 1), listenPort: 51820, peers };
}

function row(name, value, unit, baselineName, baseline) {
  return { name, value: round(value), unit, baseline: round(baseline), baselineName, ratio: round(value / baseline) };
}

function round(value) {
  return Number(value.toPrecision(4));
}

function benchParseDump(core) {
  const text = makeDump(PEERS);
  if (core.parseWgDump(text).peers.length !== PEERS) throw new Error('parseWgDump lost peers');
  const parse = medianMs(() => core.parseWgDump(text));
  const split = medianMs(() => text.split('\n').map((line) => line.split('\t')));
  return row(`parseWgDump, ${PEERS} peers`, parse, 'ms', 'split into lines and tab fields only', split);
}

function benchAllocate(core) {
  const used = [];
  for (let host = 1; host <= USED_ADDRESSES; host++) used.push(`10.20.${host >> 8}.${host & 255}`);
  const result = core.allocateAddress('10.20.0.0/16', used);
  if (!result.ok || result.address !== '10.20.195.81') throw new Error(`allocateAddress gave ${JSON.stringify(result)}`);
  const allocate = medianMs(() => core.allocateAddress('10.20.0.0/16', used));
  const setOnly = medianMs(() => new Set(used));
  return row(`allocateAddress, /16 with ${USED_ADDRESSES} used (dense)`, allocate, 'ms', `build a Set of the ${USED_ADDRESSES} used strings`, setOnly);
}

function benchKeygen(core) {
  const keysPerSecond = (generate) => (KEYS_PER_RUN / medianMs(() => {
    for (let i = 0; i < KEYS_PER_RUN; i++) generate();
  })) * 1000;
  const ours = keysPerSecond(() => core.generateKeyPair());
  const raw = keysPerSecond(() => {
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    privateKey.export({ type: 'pkcs8', format: 'der' });
    publicKey.export({ type: 'spki', format: 'der' });
  });
  return row('generateKeyPair', ours, 'keys/s', 'node:crypto x25519 + DER export, no clamp or base64', raw);
}

function benchRenderPeers(core) {
  const set = makePeerSet(PEERS);
  const render = medianMs(() => core.renderServerPeers(set));
  const joinOnly = medianMs(() => {
    const lines = ['[Interface]', `PrivateKey = ${set.privateKey}`, `ListenPort = ${set.listenPort}`];
    for (const peer of set.peers) {
      lines.push('', '[Peer]', `PublicKey = ${peer.publicKey}`);
      if (peer.presharedKey !== null) lines.push(`PresharedKey = ${peer.presharedKey}`);
      lines.push(`AllowedIPs = ${peer.allowedIps.join(', ')}`);
    }
    return `${lines.join('\n')}\n`;
  });
  return row(`renderServerPeers, ${PEERS} peers`, render, 'ms', 'the same text joined without validation', joinOnly);
}

/** Rows `{ name, value, unit, baseline, baselineName, ratio }`; ratio = value / baseline. */
export async function runCoreBench() {
  const core = loadCore();
  return [benchParseDump(core), benchAllocate(core), benchKeygen(core), benchRenderPeers(core)];
}

function printTable(rows) {
  const header = ['benchmark', 'value', 'unit', 'baseline', 'ratio', 'baseline is'];
  const cells = rows.map((r) => [r.name, String(r.value), r.unit, String(r.baseline), String(r.ratio), r.baselineName]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column].length)));
  const format = (line) => line.map((cell, column) => cell.padEnd(widths[column])).join('  ');
  console.log(`core bench: median of ${RUNS} runs after ${WARMUPS} warm-ups, node ${process.version}`);
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of cells) console.log(format(line));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printTable(await runCoreBench());
}
