#!/usr/bin/env node
// Dev tool: the side-by-side run. One scripted client session of 50 calls across the WGDashboard
// API, sent to the real WGDashboard 4.2.5 and to wgfleet (each in its own namespace, started by
// side-by-side.sh), then compared call by call. Not run by CI.
//
//   side-by-side.mjs keys > keys.json                        fixed WireGuard keys for both runs
//   side-by-side.mjs run --port P --key K --keys keys.json --out side.json [--host 127.0.0.1]
//   side-by-side.mjs compare upstream.json wgfleet.json      one line per call + "N of 50 identical"
//
// `run` is executed inside each side's network namespace; the sessions use the SAME keys, names,
// addresses and bodies, so what differs after the normalisation rules below is a real difference.
import { request } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const [command, ...rest] = process.argv.slice(2);
const args = Object.fromEntries(rest.reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));

// ---------------------------------------------------------------------------------------------
// keys: X25519 pairs in WireGuard's base64, drawn once so that both sides get the same bytes.
function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const b64 = (jwk) => Buffer.from(jwk, 'base64url').toString('base64');
  return { priv: b64(privateKey.export({ format: 'jwk' }).d), pub: b64(publicKey.export({ format: 'jwk' }).x) };
}

// ---------------------------------------------------------------------------------------------
// run: the session. Each call is [name, method, path, opts]; opts.key true (the side's key),
// false (none) or a string; opts.json a body; opts.origin true sends the web page's Origin.
const ORIGIN = 'http://127.0.0.1:10099';

function send(host, port, method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (body !== null) h['Content-Length'] = String(Buffer.byteLength(body));
    const req = request({ host, port, method, path, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const headersOut = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) headersOut.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
        resolve({ status: res.statusCode, headers: headersOut, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.setTimeout(20000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', reject);
    if (body !== null) req.write(body);
    req.end();
  });
}

async function runSession() {
  if (!args.key || !args.keys || !args.out) {
    console.error('usage: side-by-side.mjs run --port P --key K --keys keys.json --out side.json [--host 127.0.0.1]');
    process.exit(2);
  }
  const host = args.host ?? '127.0.0.1';
  const port = Number(args.port);
  const K = JSON.parse(readFileSync(args.keys, 'utf8'));
  const results = [];
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function call(name, method, path, opts = {}) {
    const headers = {};
    const key = opts.key ?? true;
    if (key === true) headers['wg-dashboard-apikey'] = args.key;
    else if (typeof key === 'string') headers['wg-dashboard-apikey'] = key;
    if (opts.origin) headers.Origin = ORIGIN;
    Object.assign(headers, opts.headers ?? {});
    let body = null;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['Content-Type'] = 'application/json';
    }
    const started = Date.now();
    let res;
    try {
      res = await send(host, port, method, path, headers, body);
    } catch (error) {
      res = { status: 0, headers: [], body: `(no answer: ${error.message})` };
    }
    const sentHeaders = { ...headers };
    if (sentHeaders['wg-dashboard-apikey'] === args.key) sentHeaders['wg-dashboard-apikey'] = '<the side\'s key>';
    results.push({ n: results.length + 1, name, request: { method, path, headers: sentHeaders, body }, ms: Date.now() - started, ...res });
    console.log(`${String(results.length).padStart(2)} ${String(res.status).padEnd(4)} ${name}`);
    try { return JSON.parse(res.body); } catch { return undefined; }
  }

  const wg0 = { ConfigurationName: 'wg0', Address: '10.66.7.1/24', ListenPort: '51820', PrivateKey: K.wg0.priv, Protocol: 'wg', PreUp: '', PreDown: '', PostUp: '', PostDown: '' };
  const preflight = (method) => ({ key: false, origin: true, headers: { 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'content-type,wg-dashboard-apikey' } });
  const page = { origin: true, headers: { 'content-type': 'application/json' } }; // what the web page's fetch sends

  // --- signing in as the web page's "Access Remote Server" mode does (cross-origin, with the key) ---
  await call('preflight-handshake', 'OPTIONS', '/api/handshake', preflight('GET'));
  await call('handshake-origin', 'GET', '/api/handshake', page);
  await call('preflight-authenticate', 'OPTIONS', '/api/authenticate', preflight('POST'));
  await call('authenticate-key-origin', 'POST', '/api/authenticate', { ...page, json: { host: '127.0.0.1' } });
  await call('getDashboardConfiguration', 'GET', '/api/getDashboardConfiguration', page);
  await call('getDashboardVersion-no-key', 'GET', '/api/getDashboardVersion', { key: false });
  await call('getDashboardTheme-no-key', 'GET', '/api/getDashboardTheme', { key: false });
  await call('isTotpEnabled-no-key', 'GET', '/api/isTotpEnabled', { key: false });
  await call('requireAuthentication', 'GET', '/api/requireAuthentication');
  await call('locale-no-key', 'GET', '/api/locale', { key: false });
  await call('locale-available-no-key', 'GET', '/api/locale/available', { key: false });
  await call('protocolsEnabled', 'GET', '/api/protocolsEnabled', page);
  // --- configurations ---
  await call('getWireguardConfigurations-none', 'GET', '/api/getWireguardConfigurations');
  await call('addWireguardConfiguration-wg0', 'POST', '/api/addWireguardConfiguration', { json: wg0 });
  await call('getWireguardConfigurations-wg0', 'GET', '/api/getWireguardConfigurations');
  await call('getWireguardConfigurationInfo-wg0', 'GET', '/api/getWireguardConfigurationInfo?configurationName=wg0');
  await call('getAvailableIPs-wg0', 'GET', '/api/getAvailableIPs/wg0');
  // --- peers ---
  await call('addPeers-single-with-keys', 'POST', '/api/addPeers/wg0', {
    json: { name: 'peer A', public_key: K.peerA.pub, private_key: K.peerA.priv, allowed_ips: ['10.66.7.2/32'], allowed_ips_validation: true },
  });
  const cafe = await call('addPeers-single-generated-keys', 'POST', '/api/addPeers/wg0', { json: { name: 'café ☕' } });
  await call('addPeers-bulk-2', 'POST', '/api/addPeers/wg0', { json: { bulkAdd: true, bulkAddAmount: 2, preshared_key_bulkAdd: true } });
  await call('addPeers-duplicate-public-key', 'POST', '/api/addPeers/wg0', { json: { name: 'dup', public_key: K.peerA.pub } });
  await call('addPeers-bad-ip', 'POST', '/api/addPeers/wg0', { json: { name: 'outside', allowed_ips: ['10.99.0.2/32'] } });
  await call('getWireguardConfigurationInfo-wg0-peers', 'GET', '/api/getWireguardConfigurationInfo?configurationName=wg0');
  const update = {
    id: K.peerA.pub, name: 'peer A renamed', private_key: K.peerA.priv, DNS: '9.9.9.9', allowed_ip: '10.66.7.2/32',
    endpoint_allowed_ip: '0.0.0.0/0, ::/0', preshared_key: '', mtu: 1400, keepalive: 25,
  };
  await call('updatePeerSettings-good', 'POST', '/api/updatePeerSettings/wg0', { json: update });
  await call('updatePeerSettings-bad-dns', 'POST', '/api/updatePeerSettings/wg0', { json: { ...update, DNS: 'not a dns' } });
  await call('restrictPeers', 'POST', '/api/restrictPeers/wg0', { json: { peers: [K.peerA.pub] } });
  await call('allowAccessPeers', 'POST', '/api/allowAccessPeers/wg0', { json: { peers: [K.peerA.pub] } });
  await call('downloadPeer', 'GET', `/api/downloadPeer/wg0?id=${encodeURIComponent(K.peerA.pub)}`);
  const share = await call('sharePeer-create', 'POST', '/api/sharePeer/create', { json: { Configuration: 'wg0', Peer: K.peerA.pub } });
  const shareId = share?.data?.[0]?.ShareID ?? 'missing';
  await call('sharePeer-get-no-key', 'GET', `/api/sharePeer/get?ShareID=${encodeURIComponent(shareId)}`, { key: false });
  const job = {
    JobID: '11111111-2222-4333-8444-555555555555', Configuration: 'wg0', Peer: K.peerA.pub, Field: 'total_data', Operator: 'lgt',
    Value: '100', CreationDate: '', ExpireDate: null, Action: 'restrict',
  };
  const saved = await call('savePeerScheduleJob', 'POST', '/api/savePeerScheduleJob', { json: { Job: job } });
  await call('getPeerScheduleJobLogs', 'GET', '/api/getPeerScheduleJobLogs/wg0');
  await call('deletePeerScheduleJob', 'POST', '/api/deletePeerScheduleJob', {
    json: { Job: { ...job, CreationDate: saved?.data?.[0]?.CreationDate ?? '' } },
  });
  // --- backups, toggle ---
  await call('createWireguardConfigurationBackup', 'GET', '/api/createWireguardConfigurationBackup?configurationName=wg0');
  await call('getWireguardConfigurationBackup', 'GET', '/api/getWireguardConfigurationBackup?configurationName=wg0');
  await call('toggleWireguardConfiguration-off', 'GET', '/api/toggleWireguardConfiguration?configurationName=wg0');
  await sleep(500); // a person looks at the list after the switch, not within the same millisecond
  await call('getWireguardConfigurations-stopped', 'GET', '/api/getWireguardConfigurations');
  await call('toggleWireguardConfiguration-on', 'GET', '/api/toggleWireguardConfiguration?configurationName=wg0');
  // --- a second configuration: add, rename, delete ---
  await call('addWireguardConfiguration-wg1', 'POST', '/api/addWireguardConfiguration', {
    json: { ConfigurationName: 'wg1', Address: '10.66.10.1/24', ListenPort: '51823', PrivateKey: K.wg1.priv, Protocol: 'wg' },
  });
  await call('renameWireguardConfiguration-wg1-wg2', 'POST', '/api/renameWireguardConfiguration', { json: { ConfigurationName: 'wg1', NewConfigurationName: 'wg2' } });
  await call('deleteWireguardConfiguration-wg2', 'POST', '/api/deleteWireguardConfiguration', { json: { ConfigurationName: 'wg2' } });
  await call('deletePeers-generated', 'POST', '/api/deletePeers/wg0', { json: { peers: [cafe?.data?.[0]?.id ?? 'missing'] } });
  // --- errors a client meets ---
  await call('unknown-route-key', 'GET', '/api/x', page);
  await call('unknown-route-no-key', 'GET', '/api/x', { key: false, origin: true });
  await call('handshake-wrong-key', 'GET', '/api/handshake', { key: 'not-a-real-key', origin: true });
  // --- settings, e-mail, tools ---
  // A person reaching the settings and the ping view has spent longer than both sides' status
  // readers take to see the peers (upstream's background thread: every 10 s; wgfleet's poller:
  // POLL_INTERVAL_MS=2000 in wgfleet-ns.sh). Without this wait, ping/getAllPeersIpAddress's
  // `endpoint` is "N/A" or "" on either side depending on who has read `wg show` yet.
  await sleep(11000);
  await call('updateDashboardConfigurationItem-theme', 'POST', '/api/updateDashboardConfigurationItem', { json: { section: 'Server', key: 'dashboard_theme', value: 'light' } });
  await call('getDashboardTheme-light-no-key', 'GET', '/api/getDashboardTheme', { key: false });
  await call('email-ready', 'GET', '/api/email/ready');
  await call('ping-getAllPeersIpAddress', 'GET', '/api/ping/getAllPeersIpAddress');
  await call('getWireguardConfigurationRealtimeTraffic', 'GET', '/api/getWireguardConfigurationRealtimeTraffic?configurationName=wg0');

  writeFileSync(args.out, JSON.stringify({ keys: K, results }, null, 2) + '\n');
  console.log(`${results.length} calls written to ${args.out}`);
}

// ---------------------------------------------------------------------------------------------
// compare. What is compared: the status code, the headers below, the body bytes.
// NOT compared, by nature of the transport: Date, Server, Connection, Keep-Alive, x-request-id,
// Content-Length (it follows the body, which is compared), the reason phrase (HTTP/1.1 clients ignore
// it; Werkzeug writes "UNAUTHORIZED", Node "Unauthorized"), Set-Cookie (upstream's Flask session
// cookie: cross-origin fetch without credentials ignores it, and wgfleet has no session login).
const COMPARED_HEADER = /^(content-type|access-control-.*|vary|content-disposition|allow|location)$/i;

// Header rules. H1: header NAMES compare case-insensitively (RFC 9110; Werkzeug writes Content-Type,
// Node content-type). H2: the comma-separated token lists of Access-Control-Allow-Headers/-Methods
// and Vary compare as sets (order carries no meaning for a browser); the tokens' spelling is kept.
function normaliseHeaders(pairs) {
  const out = {};
  for (const [name, value] of pairs) {
    const n = name.toLowerCase();
    if (!COMPARED_HEADER.test(n)) continue;
    let v = value;
    if (/^(access-control-allow-headers|access-control-allow-methods|vary)$/.test(n)) {
      v = v.split(',').map((t) => t.trim()).filter(Boolean).sort().join(', ');
    }
    out[n] = out[n] === undefined ? v : `${out[n]} | ${v}`;
  }
  return out;
}

// Body rules, applied to the raw text (so byte-level differences such as 0 vs 0.0, key order or
// \u escapes stay visible). Each value below is drawn anew on every run of either side; it is
// replaced by a placeholder numbered in order of first appearance within that side's session, so
// that "the same generated key shows again later" is still compared.
//   B1 WireGuard keys (44-char base64 of 32 bytes) that the server generated (addPeers without
//      keys, bulk, preshared keys). Keys the session sent are identical on both sides and kept.
//   B2 uuids (ShareID, LogID): random by design.
//   B3 clock readings: "YYYY-MM-DD HH:MM:SS" (job CreationDate, log dates, expiry),
//      YYYYmmdd_HHMMSS in bulk peer names, YYYYmmddHHMMSS in backup file names and backupDate.
//   B4 bcrypt hashes ($2b$…): salted, differ on every start of upstream.
//   B5 the [Peer] sections of a .conf text inside a JSON string (backups, raw file) compare as a
//      set: upstream's file is rewritten by `wg-quick save`, whose peers follow `wg showconf`
//      (WireGuard's internal order), not the order they were added. Applied after B1, so the
//      sections sort by the same placeholders on both sides.
// Nothing else is normalised: the remote endpoint is the same address (172.16.77.1) on both sides
// by construction of the namespaces, ports, names and addresses are fixed by the session.
function sortPeerSections(run) {
  const trailing = run.endsWith('\\n') ? '\\n' : '';
  const body = trailing ? run.slice(0, -2) : run;
  return body.split('\\n\\n[Peer]').slice(1).sort().map((s) => `\\n\\n[Peer]${s}`).join('') + trailing;
}
// YYYYmmdd and HHMMSS as a clock writes them (so no other run of 8 or 14 digits is taken for a time).
const YMD = '(?:19|20)\\d\\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])';
const HMS = '(?:[01]\\d|2[0-3])[0-5]\\d[0-5]\\d';
function bodyNormaliser(knownKeys) {
  const tables = { key: new Map(), uuid: new Map() };
  const symbol = (kind, value) => {
    const t = tables[kind];
    if (!t.has(value)) t.set(value, `<${kind}#${t.size + 1}>`);
    return t.get(value);
  };
  return (text) => text
    .replace(/\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/g, '<bcrypt>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, (u) => symbol('uuid', u.toLowerCase()))
    .replace(/(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=/g, (k) => (knownKeys.has(k) ? k : symbol('key', k)))
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?/g, '<time>')
    .replace(new RegExp(`(?<![0-9])${YMD}_?${HMS}(?![0-9])`, 'g'), '<time>')
    .replace(/(?:\\n\\n\[Peer\](?:(?!\\n\\n)[^"])*)+/g, sortPeerSections);
}

function firstDifference(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 40);
  const cut = (s) => JSON.stringify(s.slice(from, i + 80));
  return `at byte ${i}: upstream …${cut(a)}… wgfleet …${cut(b)}…`;
}

function compareRuns() {
  const [upFile, ourFile] = rest;
  if (!upFile || !ourFile) {
    console.error('usage: side-by-side.mjs compare upstream.json wgfleet.json');
    process.exit(2);
  }
  const up = JSON.parse(readFileSync(upFile, 'utf8'));
  const ours = JSON.parse(readFileSync(ourFile, 'utf8'));
  const known = new Set(Object.values(up.keys).flatMap((p) => [p.priv, p.pub]));
  const normUp = bodyNormaliser(known);
  const normOurs = bodyNormaliser(known);
  let same = 0;
  const total = Math.max(up.results.length, ours.results.length);
  for (let i = 0; i < total; i++) {
    const u = up.results[i];
    const o = ours.results[i];
    if (!u || !o || u.name !== o.name) {
      console.log(`${String(i + 1).padStart(2)} different  ${u?.name ?? o?.name}: the sessions went apart (${u?.name} vs ${o?.name})`);
      continue;
    }
    const diffs = [];
    if (u.status !== o.status) diffs.push(`status ${u.status} vs ${o.status}`);
    const hu = normaliseHeaders(u.headers);
    const ho = normaliseHeaders(o.headers);
    for (const h of [...new Set([...Object.keys(hu), ...Object.keys(ho)])].sort()) {
      if (hu[h] !== ho[h]) diffs.push(`${h}: ${JSON.stringify(hu[h] ?? null)} vs ${JSON.stringify(ho[h] ?? null)}`);
    }
    const bu = normUp(u.body);
    const bo = normOurs(o.body);
    if (bu !== bo) diffs.push(`body ${firstDifference(bu, bo)}`);
    if (diffs.length === 0) same++;
    const line = `${String(u.n).padStart(2)} ${diffs.length ? 'different' : 'identical'}  ${u.request.method} ${u.request.path}  [${u.name}]`;
    console.log(diffs.length ? `${line}\n     - ${diffs.join('\n     - ')}` : line);
  }
  console.log(`\n${same} of ${total} identical`);
}

switch (command) {
  case 'keys':
    process.stdout.write(JSON.stringify({ wg0: keyPair(), wg1: keyPair(), peerA: keyPair() }, null, 2) + '\n');
    break;
  case 'run':
    await runSession();
    break;
  case 'compare':
    compareRuns();
    break;
  default:
    console.error('usage: side-by-side.mjs keys | run … | compare upstream.json wgfleet.json');
    process.exit(2);
}
