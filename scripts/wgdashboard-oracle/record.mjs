#!/usr/bin/env node
// Dev tool: sends a fixed, ordered list of requests to a running WGDashboard (started by
// oracle.sh) and writes each exchange to <out>/<case>.json. Runs inside the oracle's network
// namespace: `oracle.sh exec <workdir> /usr/bin/node record.mjs --port P --key K --out DIR`.
// The cases are stateful and run in order against a fresh instance. Not run by CI.
import { request } from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
if (!args.key || !args.out) {
  console.error('usage: record.mjs --key <api key> --out <fixtures dir> [--port 10086] [--host 127.0.0.1] [--only name,…]');
  process.exit(2);
}
const HOST = args.host ?? '127.0.0.1';
const PORT = Number(args.port ?? 10086);
const KEY = args.key;
const OUT = args.out;
const ONLY = args.only ? new Set(args.only.split(',')) : null;
const KEY_HEADER = 'wg-dashboard-apikey';

// Response headers kept in a fixture: the ones a client can depend on; never Date/Server.
const KEEP = (name) => /^(content-type|content-length|access-control-.*|vary|location|allow|content-disposition)$/i.test(name);

function send(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (body !== undefined && body !== null) h['Content-Length'] = String(Buffer.byteLength(body));
    const req = request({ host: HOST, port: PORT, method, path, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const kept = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          if (KEEP(res.rawHeaders[i])) kept[res.rawHeaders[i]] = res.rawHeaders[i + 1];
        }
        resolve({ status: res.statusCode, reason: res.statusMessage, headers: kept, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.setTimeout(30000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', reject);
    if (body !== undefined && body !== null) req.write(body);
    req.end();
  });
}

const written = [];
/**
 * One exchange. opts.key: true (the seeded key), false (no key header), or a string (that key).
 * opts.json: a value sent as application/json (serialised with JSON.stringify, recorded verbatim);
 * opts.raw + opts.contentType: a body sent as is.
 */
async function exchange(name, method, path, opts = {}) {
  const headers = { ...(opts.headers ?? {}) };
  const key = opts.key ?? true;
  if (key === true) headers[KEY_HEADER] = KEY;
  else if (typeof key === 'string') headers[KEY_HEADER] = key;
  let body = null;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['Content-Type'] = 'application/json';
  } else if (opts.raw !== undefined) {
    body = opts.raw;
    if (opts.contentType) headers['Content-Type'] = opts.contentType;
  }
  const res = await send(method, path, headers, body);
  if (!ONLY || ONLY.has(name)) {
    const fixture = { request: { method, path, headers, body }, status: res.status, reason: res.reason, headers: res.headers, body: res.body };
    writeFileSync(join(OUT, `${name}.json`), JSON.stringify(fixture, null, 2) + '\n');
    written.push(name);
  }
  console.log(`${String(res.status).padEnd(4)} ${name}  (${method} ${path})`);
  let parsed;
  try { parsed = JSON.parse(res.body); } catch { parsed = undefined; }
  return { ...res, json: parsed };
}

function wgKeyPair() {
  const priv = execFileSync('wg', ['genkey'], { encoding: 'utf8' }).trim();
  const pub = execFileSync('wg', ['pubkey'], { input: priv + '\n', encoding: 'utf8' }).trim();
  return { priv, pub };
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const need = (cond, what) => { if (!cond) throw new Error(`precondition failed: ${what}`); };

mkdirSync(OUT, { recursive: true });
if (!ONLY) for (const f of readdirSync(OUT)) if (f.endsWith('.json')) unlinkSync(join(OUT, f));

const WG0 = { name: 'wg0', address: '10.66.7.1/24', port: '51820' };
const ORIGIN = 'http://client.example';

// ---------- 1. envelope, CORS, authentication order (notes §1.2, §1.3) ----------
await exchange('options-handshake', 'OPTIONS', '/api/handshake', { key: false });
await exchange('options-unknown-path', 'OPTIONS', '/api/doesNotExist', { key: false });
await exchange('options-preflight-origin', 'OPTIONS', '/api/getWireguardConfigurations', {
  key: false,
  headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,wg-dashboard-apikey' },
});
// What a browser sends before a cross-origin call with the key (WGDashboard's own page in
// "Access Remote Server" mode): answered before authentication, on real and unknown paths alike.
const PREFLIGHT = { Origin: ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'content-type,wg-dashboard-apikey' };
await exchange('options-preflight-get-no-key', 'OPTIONS', '/api/getWireguardConfigurations', { key: false, headers: PREFLIGHT });
await exchange('options-preflight-get-key', 'OPTIONS', '/api/getWireguardConfigurations', { headers: PREFLIGHT });
await exchange('options-preflight-get-wrong-key', 'OPTIONS', '/api/getWireguardConfigurations', { key: 'not-a-real-key', headers: PREFLIGHT });
await exchange('options-preflight-unknown-path-no-key', 'OPTIONS', '/api/doesNotExist', { key: false, headers: PREFLIGHT });
await exchange('options-preflight-unknown-path-key', 'OPTIONS', '/api/doesNotExist', { headers: PREFLIGHT });
await exchange('options-preflight-no-origin', 'OPTIONS', '/api/handshake', {
  key: false,
  headers: { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
});
await exchange('options-preflight-mixed-case', 'OPTIONS', '/api/handshake', {
  key: false,
  headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'post', 'Access-Control-Request-Headers': 'WG-Dashboard-APIKey, X-Other, Content-Type' },
});
await exchange('options-preflight-unlisted-method', 'OPTIONS', '/api/handshake', {
  key: false,
  headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type' },
});
await exchange('options-preflight-unlisted-headers-only', 'OPTIONS', '/api/handshake', {
  key: false,
  headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-other' },
});
await exchange('handshake-key', 'GET', '/api/handshake');
await exchange('handshake-no-key', 'GET', '/api/handshake', { key: false });
await exchange('handshake-wrong-key', 'GET', '/api/handshake', { key: 'not-a-real-key' });
await exchange('handshake-empty-key', 'GET', '/api/handshake', { key: '' });
await exchange('handshake-key-origin', 'GET', '/api/handshake', { headers: { Origin: ORIGIN } });
await exchange('handshake-no-key-origin', 'GET', '/api/handshake', { key: false, headers: { Origin: ORIGIN } });
await exchange('requireAuthentication-key', 'GET', '/api/requireAuthentication');
await exchange('requireAuthentication-no-key', 'GET', '/api/requireAuthentication', { key: false });
await exchange('requireAuthentication-wrong-key', 'GET', '/api/requireAuthentication', { key: 'not-a-real-key' });
await exchange('unknown-api-no-key', 'GET', '/api/x', { key: false });
await exchange('unknown-api-key', 'GET', '/api/x');
await exchange('unknown-api-wrong-key', 'GET', '/api/x', { key: 'not-a-real-key' });
await exchange('unknown-non-api-no-key', 'GET', '/x', { key: false });
await exchange('unknown-api-post-key', 'POST', '/api/x', { json: {} });
await exchange('unknown-api-nested-key', 'GET', '/api/a/b');
await exchange('unknown-api-origin-key', 'GET', '/api/x', { headers: { Origin: ORIGIN } });
// Two key headers, a valid one first (how a server reads them is its own choice).
await exchange('handshake-two-keys', 'GET', '/api/handshake', { key: false, headers: { [KEY_HEADER]: [KEY, 'not-a-real-key'] } });
await exchange('wrong-method-key', 'POST', '/api/handshake', { json: {} });
await exchange('wrong-method-get-on-post-route-key', 'GET', '/api/addWireguardConfiguration');
await exchange('post-text-plain-no-key', 'POST', '/api/addWireguardConfiguration', { key: false, raw: 'hello', contentType: 'text/plain' });
await exchange('post-text-plain-key', 'POST', '/api/addWireguardConfiguration', { raw: 'hello', contentType: 'text/plain' });
await exchange('post-no-body-no-content-type-no-key', 'POST', '/api/addWireguardConfiguration', { key: false });
await exchange('post-invalid-json-no-key', 'POST', '/api/addWireguardConfiguration', { key: false, raw: '{"a":', contentType: 'application/json' });
await exchange('post-json-no-key', 'POST', '/api/addWireguardConfiguration', { key: false, json: {} });
await exchange('post-json-wrong-key', 'POST', '/api/addWireguardConfiguration', { key: 'not-a-real-key', json: {} });
await exchange('whitelist-substring-locale-no-key', 'GET', '/api/getAvailableIPs/xlocalex', { key: false });

// ---------- 2. dashboard ----------
await exchange('getDashboardVersion-no-key', 'GET', '/api/getDashboardVersion', { key: false });
await exchange('getDashboardTheme-no-key', 'GET', '/api/getDashboardTheme', { key: false });
await exchange('isTotpEnabled-no-key', 'GET', '/api/isTotpEnabled', { key: false });
await exchange('locale-no-key', 'GET', '/api/locale', { key: false });
await exchange('locale-available-no-key', 'GET', '/api/locale/available', { key: false });
await exchange('getDashboardConfiguration-key', 'GET', '/api/getDashboardConfiguration');
await exchange('getDashboardConfiguration-no-key', 'GET', '/api/getDashboardConfiguration', { key: false });
await exchange('getDashboardAPIKeys-key', 'GET', '/api/getDashboardAPIKeys');
await exchange('getDashboardUpdate-offline-key', 'GET', '/api/getDashboardUpdate');
await exchange('protocolsEnabled-key', 'GET', '/api/protocolsEnabled');
await exchange('protocolsEnabled-no-key', 'GET', '/api/protocolsEnabled', { key: false });
// The web page's "Access Remote Server" connect: the key, and the page's host name as the body.
await exchange('authenticate-key', 'POST', '/api/authenticate', { json: { host: 'client.example' } });
await exchange('authenticate-key-origin', 'POST', '/api/authenticate', { headers: { Origin: ORIGIN }, json: { host: 'client.example' } });
await exchange('authenticate-wrong-key', 'POST', '/api/authenticate', { key: 'not-a-real-key', json: { host: 'client.example' } });
await exchange('authenticate-missing-fields-no-key', 'POST', '/api/authenticate', { key: false, json: { host: 'client.example' } });
await exchange('validateAuthentication-key', 'GET', '/api/validateAuthentication');
await exchange('signout-key', 'GET', '/api/signout');
await exchange('signout-no-key', 'GET', '/api/signout', { key: false });

// ---------- 3. configurations ----------
await exchange('getWireguardConfigurations-none', 'GET', '/api/getWireguardConfigurations');
await exchange('getWireguardConfigurationInfo-no-param', 'GET', '/api/getWireguardConfigurationInfo');
await exchange('addWireguardConfiguration-missing-params', 'POST', '/api/addWireguardConfiguration', { json: { ConfigurationName: 'wg0' } });
await exchange('addWireguardConfiguration-bad-protocol', 'POST', '/api/addWireguardConfiguration', {
  json: { ConfigurationName: 'wg0', Address: WG0.address, ListenPort: WG0.port, PrivateKey: wgKeyPair().priv, Protocol: 'xyz' },
});
const wg0Keys = wgKeyPair();
const addWg0 = await exchange('addWireguardConfiguration-wg0', 'POST', '/api/addWireguardConfiguration', {
  json: { ConfigurationName: WG0.name, Address: WG0.address, ListenPort: WG0.port, PrivateKey: wg0Keys.priv, Protocol: 'wg', PreUp: '', PreDown: '', PostUp: '', PostDown: '' },
});
need(addWg0.json?.status === true, 'wg0 added');
await exchange('addWireguardConfiguration-duplicate-name', 'POST', '/api/addWireguardConfiguration', {
  json: { ConfigurationName: WG0.name, Address: '10.66.70.1/24', ListenPort: '51870', PrivateKey: wgKeyPair().priv, Protocol: 'wg' },
});
await exchange('addWireguardConfiguration-duplicate-port', 'POST', '/api/addWireguardConfiguration', {
  json: { ConfigurationName: 'wg70', Address: '10.66.70.1/24', ListenPort: WG0.port, PrivateKey: wgKeyPair().priv, Protocol: 'wg' },
});
await exchange('addWireguardConfiguration-duplicate-address', 'POST', '/api/addWireguardConfiguration', {
  json: { ConfigurationName: 'wg70', Address: WG0.address, ListenPort: '51870', PrivateKey: wgKeyPair().priv, Protocol: 'wg' },
});
await exchange('getWireguardConfigurations-wg0', 'GET', '/api/getWireguardConfigurations');
await exchange('getWireguardConfigurationInfo-wg0-no-peers', 'GET', '/api/getWireguardConfigurationInfo?configurationName=wg0');
await exchange('getWireguardConfigurationInfo-unknown', 'GET', '/api/getWireguardConfigurationInfo?configurationName=nope');
await exchange('getAvailableIPs-wg0', 'GET', '/api/getAvailableIPs/wg0');
await exchange('getAvailableIPs-unknown', 'GET', '/api/getAvailableIPs/nope');
await exchange('getNumberOfAvailableIPs-wg0', 'GET', '/api/getNumberOfAvailableIPs/wg0');
await exchange('getWireguardConfigurationRawFile-wg0-new', 'GET', '/api/getWireguardConfigurationRawFile?configurationName=wg0');
await exchange('getWireguardConfigurationRawFile-unknown', 'GET', '/api/getWireguardConfigurationRawFile?configurationName=nope');
await exchange('getWireguardConfigurationRawFile-no-param', 'GET', '/api/getWireguardConfigurationRawFile');

// ---------- 4. peers ----------
await exchange('addPeers-unknown-config', 'POST', '/api/addPeers/nope', { json: { name: 'x' } });
const peerA = wgKeyPair();
const addA = await exchange('addPeers-wg0-single-with-keys', 'POST', '/api/addPeers/wg0', {
  json: { name: 'oracle peer A', public_key: peerA.pub, private_key: peerA.priv, allowed_ips: ['10.66.7.2/32'], allowed_ips_validation: true },
});
need(addA.json?.status === true, 'peer A added');
const addCafe = await exchange('addPeers-wg0-single-non-ascii-name-generated-keys', 'POST', '/api/addPeers/wg0', {
  json: { name: 'café ☕ 😀' },
});
need(addCafe.json?.status === true, 'café peer added');
const cafeId = addCafe.json.data[0].id;
const peerC = wgKeyPair();
const addC = await exchange('addPeers-wg0-single-public-key-only', 'POST', '/api/addPeers/wg0', {
  json: { name: 'pubkey only', public_key: peerC.pub, allowed_ips: ['10.66.7.20/32'], DNS: '9.9.9.9', keepalive: 5, mtu: 1380, endpoint_allowed_ip: '10.66.7.0/24' },
});
need(addC.json?.status === true, 'peer C added');
await exchange('addPeers-wg0-duplicate-public-key', 'POST', '/api/addPeers/wg0', { json: { name: 'dup', public_key: peerA.pub } });
await exchange('addPeers-wg0-key-mismatch', 'POST', '/api/addPeers/wg0', {
  json: { name: 'mismatch', public_key: wgKeyPair().pub, private_key: wgKeyPair().priv },
});
await exchange('addPeers-wg0-ip-not-in-subnet', 'POST', '/api/addPeers/wg0', {
  json: { name: 'outside', allowed_ips: ['10.99.0.2/32'] },
});
await exchange('addPeers-wg0-ip-host-bits', 'POST', '/api/addPeers/wg0', {
  json: { name: 'hostbits', allowed_ips: ['10.66.7.9/24'] },
});
await exchange('addPeers-wg0-bulk-zero', 'POST', '/api/addPeers/wg0', { json: { bulkAdd: true, bulkAddAmount: 0 } });
await exchange('addPeers-wg0-bulk-too-many', 'POST', '/api/addPeers/wg0', { json: { bulkAdd: true, bulkAddAmount: 1000 } });
const bulk = await exchange('addPeers-wg0-bulk-2', 'POST', '/api/addPeers/wg0', { json: { bulkAdd: true, bulkAddAmount: 2, preshared_key_bulkAdd: true } });
need(bulk.json?.status === true, 'bulk added');
await exchange('getWireguardConfigurationInfo-wg0-peers', 'GET', '/api/getWireguardConfigurationInfo?configurationName=wg0');
await exchange('getWireguardConfigurations-wg0-up', 'GET', '/api/getWireguardConfigurations');
await exchange('getAvailableIPs-wg0-after-peers', 'GET', '/api/getAvailableIPs/wg0');
await exchange('downloadPeer-wg0-peer-a', 'GET', `/api/downloadPeer/wg0?id=${encodeURIComponent(peerA.pub)}`);
await exchange('downloadPeer-wg0-non-ascii-name', 'GET', `/api/downloadPeer/wg0?id=${encodeURIComponent(cafeId)}`);
await exchange('downloadPeer-wg0-unknown-peer', 'GET', `/api/downloadPeer/wg0?id=${encodeURIComponent(wgKeyPair().pub)}`);
await exchange('downloadPeer-wg0-no-id', 'GET', '/api/downloadPeer/wg0');
await exchange('downloadPeer-unknown-config', 'GET', `/api/downloadPeer/nope?id=${encodeURIComponent(peerA.pub)}`);

await exchange('restrictPeers-wg0-peer-a', 'POST', '/api/restrictPeers/wg0', { json: { peers: [peerA.pub] } });
await exchange('restrictPeers-unknown-config', 'POST', '/api/restrictPeers/nope', { json: { peers: [peerA.pub] } });
await exchange('restrictPeers-wg0-empty', 'POST', '/api/restrictPeers/wg0', { json: { peers: [] } });
await exchange('getWireguardConfigurationInfo-wg0-restricted', 'GET', '/api/getWireguardConfigurationInfo?configurationName=wg0');
await exchange('getWireguardConfigurationRawFile-wg0-restricted', 'GET', '/api/getWireguardConfigurationRawFile?configurationName=wg0');
await exchange('allowAccessPeers-wg0-unknown-key', 'POST', '/api/allowAccessPeers/wg0', { json: { peers: [peerC.pub] } });
await exchange('allowAccessPeers-wg0-peer-a', 'POST', '/api/allowAccessPeers/wg0', { json: { peers: [peerA.pub] } });
await exchange('allowAccessPeers-unknown-config', 'POST', '/api/allowAccessPeers/nope', { json: { peers: [peerA.pub] } });
await exchange('allowAccessPeers-wg0-empty', 'POST', '/api/allowAccessPeers/wg0', { json: { peers: [] } });

await exchange('deletePeers-wg0-peer-c', 'POST', '/api/deletePeers/wg0', { json: { peers: [peerC.pub] } });
await exchange('deletePeers-unknown-config', 'POST', '/api/deletePeers/nope', { json: { peers: [peerA.pub] } });
await exchange('deletePeers-wg0-empty', 'POST', '/api/deletePeers/wg0', { json: { peers: [] } });
await exchange('deletePeers-wg0-not-found', 'POST', '/api/deletePeers/wg0', { json: { peers: [wgKeyPair().pub] } });
await exchange('getWireguardConfigurationInfo-wg0-after-delete', 'GET', '/api/getWireguardConfigurationInfo?configurationName=wg0');

// ---------- 5. toggle, raw file ----------
await exchange('toggleWireguardConfiguration-wg0-down', 'GET', '/api/toggleWireguardConfiguration?configurationName=wg0');
await exchange('getWireguardConfigurations-wg0-down', 'GET', '/api/getWireguardConfigurations');
await exchange('toggleWireguardConfiguration-wg0-up', 'GET', '/api/toggleWireguardConfiguration?configurationName=wg0');
await exchange('toggleWireguardConfiguration-unknown', 'GET', '/api/toggleWireguardConfiguration?configurationName=nope');
await exchange('toggleWireguardConfiguration-no-param', 'GET', '/api/toggleWireguardConfiguration');
await exchange('toggleWireguardConfiguration-trailing-slash', 'GET', '/api/toggleWireguardConfiguration/?configurationName=wg0');
await exchange('getWireguardConfigurationRawFile-wg0-after', 'GET', '/api/getWireguardConfigurationRawFile?configurationName=wg0');
await exchange('getWireguardConfigurationRealtimeTraffic-wg0', 'GET', '/api/getWireguardConfigurationRealtimeTraffic?configurationName=wg0');
await exchange('getWireguardConfigurationRealtimeTraffic-unknown', 'GET', '/api/getWireguardConfigurationRealtimeTraffic?configurationName=nope');

// ---------- 5b. peer settings, data reset, downloads, share links ----------
const peerAUpdate = {
  id: peerA.pub, name: 'oracle peer A renamed', private_key: peerA.priv, DNS: '9.9.9.9', allowed_ip: '10.66.7.2/32',
  endpoint_allowed_ip: '0.0.0.0/0, ::/0', preshared_key: '', mtu: 1400, keepalive: 25,
};
await exchange('updatePeerSettings-wg0-peer-a', 'POST', '/api/updatePeerSettings/wg0', { json: peerAUpdate });
await exchange('updatePeerSettings-wg0-ip-taken', 'POST', '/api/updatePeerSettings/wg0', { json: { ...peerAUpdate, allowed_ip: '10.66.7.3/32' } });
await exchange('updatePeerSettings-wg0-bad-endpoint-allowed-ip', 'POST', '/api/updatePeerSettings/wg0', { json: { ...peerAUpdate, endpoint_allowed_ip: 'abc' } });
await exchange('updatePeerSettings-wg0-bad-mtu', 'POST', '/api/updatePeerSettings/wg0', { json: { ...peerAUpdate, mtu: 1500 } });
await exchange('updatePeerSettings-wg0-bad-keepalive', 'POST', '/api/updatePeerSettings/wg0', { json: { ...peerAUpdate, keepalive: -1 } });
await exchange('updatePeerSettings-wg0-key-mismatch', 'POST', '/api/updatePeerSettings/wg0', { json: { ...peerAUpdate, private_key: wgKeyPair().priv } });
await exchange('updatePeerSettings-wg0-unknown-peer', 'POST', '/api/updatePeerSettings/wg0', { json: { ...peerAUpdate, id: wgKeyPair().pub } });
await exchange('updatePeerSettings-unknown-config', 'POST', '/api/updatePeerSettings/nope', { json: peerAUpdate });
await exchange('updatePeerSettings-wg0-missing-keys', 'POST', '/api/updatePeerSettings/wg0', { json: { id: peerA.pub } });
await exchange('resetPeerData-wg0-total', 'POST', '/api/resetPeerData/wg0', { json: { id: peerA.pub, type: 'total' } });
await exchange('resetPeerData-wg0-bad-type', 'POST', '/api/resetPeerData/wg0', { json: { id: peerA.pub, type: 'everything' } });
await exchange('resetPeerData-wg0-unknown-peer', 'POST', '/api/resetPeerData/wg0', { json: { id: wgKeyPair().pub, type: 'total' } });
await exchange('downloadPeer-wg0-peer-a-updated', 'GET', `/api/downloadPeer/wg0?id=${encodeURIComponent(peerA.pub)}`);
await exchange('downloadAllPeers-wg0', 'GET', '/api/downloadAllPeers/wg0');
await exchange('downloadAllPeers-unknown-config', 'GET', '/api/downloadAllPeers/nope');
await exchange('ping-getAllPeersIpAddress', 'GET', '/api/ping/getAllPeersIpAddress');

await exchange('sharePeer-create-missing', 'POST', '/api/sharePeer/create', { json: { Configuration: 'wg0' } });
const share = await exchange('sharePeer-create-wg0-peer-a', 'POST', '/api/sharePeer/create', { json: { Configuration: 'wg0', Peer: peerA.pub } });
await exchange('sharePeer-create-wg0-peer-a-again', 'POST', '/api/sharePeer/create', { json: { Configuration: 'wg0', Peer: peerA.pub } });
const shareId = share.json?.data?.[0]?.ShareID;
need(typeof shareId === 'string', 'share link created');
await exchange('sharePeer-get-no-key', 'GET', `/api/sharePeer/get?ShareID=${shareId}`, { key: false });
await exchange('sharePeer-get-missing-no-key', 'GET', '/api/sharePeer/get', { key: false });
await exchange('sharePeer-get-unknown-no-key', 'GET', '/api/sharePeer/get?ShareID=00000000-0000-4000-8000-000000000000', { key: false });
await exchange('sharePeer-update', 'POST', '/api/sharePeer/update', { json: { ShareID: shareId, ExpireDate: '2099-12-31 23:59:59' } });
await exchange('sharePeer-update-past', 'POST', '/api/sharePeer/update', { json: { ShareID: shareId, ExpireDate: '2000-01-01 00:00:00' } });
await exchange('sharePeer-update-expired', 'POST', '/api/sharePeer/update', { json: { ShareID: shareId, ExpireDate: null } });
await exchange('sharePeer-update-missing', 'POST', '/api/sharePeer/update', { json: {} });
await exchange('getWireguardConfigurationInfo-wg0-share-link', 'GET', '/api/getWireguardConfigurationInfo?configurationName=wg0');

// ---------- 5c. peer schedule jobs ----------
const job = {
  JobID: '11111111-2222-4333-8444-555555555555', Configuration: 'wg0', Peer: peerA.pub, Field: 'total_data', Operator: 'lgt',
  Value: '100', CreationDate: '', ExpireDate: null, Action: 'restrict',
};
await exchange('savePeerScheduleJob-missing-job', 'POST', '/api/savePeerScheduleJob', { json: {} });
await exchange('savePeerScheduleJob-missing-peer', 'POST', '/api/savePeerScheduleJob', { json: { Job: { Configuration: 'wg0' } } });
await exchange('savePeerScheduleJob-unknown-config', 'POST', '/api/savePeerScheduleJob', { json: { Job: { ...job, Configuration: 'nope' } } });
await exchange('savePeerScheduleJob-unknown-peer', 'POST', '/api/savePeerScheduleJob', { json: { Job: { ...job, Peer: wgKeyPair().pub } } });
const saved = await exchange('savePeerScheduleJob-wg0-peer-a', 'POST', '/api/savePeerScheduleJob', { json: { Job: job } });
await exchange('savePeerScheduleJob-wg0-peer-a-update', 'POST', '/api/savePeerScheduleJob', { json: { Job: { ...job, Value: '200' } } });
await exchange('getWireguardConfigurationInfo-wg0-job', 'GET', '/api/getWireguardConfigurationInfo?configurationName=wg0');
await exchange('getPeerScheduleJobLogs-wg0', 'GET', '/api/getPeerScheduleJobLogs/wg0');
await exchange('getPeerScheduleJobLogs-unknown-config', 'GET', '/api/getPeerScheduleJobLogs/nope');
await exchange('deletePeerScheduleJob-no-creation-date', 'POST', '/api/deletePeerScheduleJob', { json: { Job: job } });
await exchange('deletePeerScheduleJob-wg0-peer-a', 'POST', '/api/deletePeerScheduleJob', {
  json: { Job: { ...job, CreationDate: saved.json?.data?.[0]?.CreationDate ?? '2026-01-01 00:00:00' } },
});
await exchange('savePeerScheduleJob-wg0-reuse-deleted-id', 'POST', '/api/savePeerScheduleJob', { json: { Job: job } });

// ---------- 5d. configuration update, raw file update, backups, rename ----------
await exchange('updateWireguardConfiguration-missing-name', 'POST', '/api/updateWireguardConfiguration', { json: {} });
await exchange('updateWireguardConfiguration-unknown', 'POST', '/api/updateWireguardConfiguration', { json: { Name: 'nope' } });
await exchange('updateWireguardConfiguration-wg0', 'POST', '/api/updateWireguardConfiguration', {
  json: { Name: 'wg0', Address: WG0.address, ListenPort: WG0.port, PreUp: '', PostUp: '', PreDown: '', PostDown: '', Table: '' },
});
await exchange('updateWireguardConfigurationRawFile-unknown', 'POST', '/api/updateWireguardConfigurationRawFile', { json: { configurationName: 'nope', rawConfiguration: 'x' } });
await exchange('updateWireguardConfigurationRawFile-empty', 'POST', '/api/updateWireguardConfigurationRawFile', { json: { configurationName: 'wg0', rawConfiguration: '' } });
const raw = await send('GET', '/api/getWireguardConfigurationRawFile?configurationName=wg0', { [KEY_HEADER]: KEY });
await exchange('updateWireguardConfigurationRawFile-wg0-same', 'POST', '/api/updateWireguardConfigurationRawFile', {
  json: { configurationName: 'wg0', rawConfiguration: JSON.parse(raw.body).data.content },
});
await exchange('getWireguardConfigurationBackup-wg0', 'GET', '/api/getWireguardConfigurationBackup?configurationName=wg0');
await exchange('getWireguardConfigurationBackup-unknown', 'GET', '/api/getWireguardConfigurationBackup?configurationName=nope');
await sleep(1100); // backup names carry the second: keep this one apart from the update's and raw update's
const backups = await exchange('createWireguardConfigurationBackup-wg0', 'GET', '/api/createWireguardConfigurationBackup?configurationName=wg0');
await exchange('createWireguardConfigurationBackup-unknown', 'GET', '/api/createWireguardConfigurationBackup?configurationName=nope');
await exchange('getAllWireguardConfigurationBackup', 'GET', '/api/getAllWireguardConfigurationBackup');
const backupFile = backups.json?.data?.[0]?.filename;
need(typeof backupFile === 'string', 'backup created');
await exchange('downloadWireguardConfigurationBackup-unknown-file', 'GET', '/api/downloadWireguardConfigurationBackup?configurationName=wg0&backupFileName=wg0_19990101000000.conf');
await exchange('downloadWireguardConfigurationBackup-unknown-config', 'GET', `/api/downloadWireguardConfigurationBackup?configurationName=nope&backupFileName=${backupFile}`);
await exchange('downloadWireguardConfigurationBackup-wg0', 'GET', `/api/downloadWireguardConfigurationBackup?configurationName=wg0&backupFileName=${backupFile}`);
await exchange('deleteWireguardConfigurationBackup-missing-fields', 'POST', '/api/deleteWireguardConfigurationBackup', { json: { ConfigurationName: 'wg0' } });
await exchange('deleteWireguardConfigurationBackup-unknown-config', 'POST', '/api/deleteWireguardConfigurationBackup', { json: { ConfigurationName: 'nope', BackupFileName: backupFile } });
await exchange('deleteWireguardConfigurationBackup-unknown-file', 'POST', '/api/deleteWireguardConfigurationBackup', { json: { ConfigurationName: 'wg0', BackupFileName: 'wg0_19990101000000.conf' } });
await exchange('restoreWireguardConfigurationBackup-missing-fields', 'POST', '/api/restoreWireguardConfigurationBackup', { json: { ConfigurationName: 'wg0' } });
await exchange('restoreWireguardConfigurationBackup-unknown-config', 'POST', '/api/restoreWireguardConfigurationBackup', { json: { ConfigurationName: 'nope', BackupFileName: backupFile } });
await exchange('restoreWireguardConfigurationBackup-unknown-file', 'POST', '/api/restoreWireguardConfigurationBackup', { json: { ConfigurationName: 'wg0', BackupFileName: 'wg0_19990101000000.conf' } });
await exchange('restoreWireguardConfigurationBackup-wg0', 'POST', '/api/restoreWireguardConfigurationBackup', { json: { ConfigurationName: 'wg0', BackupFileName: backupFile } });
await exchange('getWireguardConfigurationInfo-wg0-after-restore', 'GET', '/api/getWireguardConfigurationInfo?configurationName=wg0');
await exchange('deleteWireguardConfigurationBackup-wg0', 'POST', '/api/deleteWireguardConfigurationBackup', { json: { ConfigurationName: 'wg0', BackupFileName: backupFile } });

await exchange('addWireguardConfiguration-wg1', 'POST', '/api/addWireguardConfiguration', {
  json: { ConfigurationName: 'wg1', Address: '10.66.10.1/24, fd42:66:10::1/64', ListenPort: '51823', PrivateKey: wgKeyPair().priv, Protocol: 'wg' },
});
await exchange('getAvailableIPs-wg1-dual-stack', 'GET', '/api/getAvailableIPs/wg1');
await exchange('getNumberOfAvailableIPs-wg1-dual-stack', 'GET', '/api/getNumberOfAvailableIPs/wg1');
await exchange('renameWireguardConfiguration-missing', 'POST', '/api/renameWireguardConfiguration', { json: { ConfigurationName: 'wg1' } });
await exchange('renameWireguardConfiguration-unknown', 'POST', '/api/renameWireguardConfiguration', { json: { ConfigurationName: 'nope', NewConfigurationName: 'wg5' } });
await exchange('renameWireguardConfiguration-existing-name', 'POST', '/api/renameWireguardConfiguration', { json: { ConfigurationName: 'wg1', NewConfigurationName: 'wg0' } });
await exchange('renameWireguardConfiguration-wg1-to-wg2', 'POST', '/api/renameWireguardConfiguration', { json: { ConfigurationName: 'wg1', NewConfigurationName: 'wg2' } });
await exchange('getWireguardConfigurations-after-rename', 'GET', '/api/getWireguardConfigurations');
await exchange('deleteWireguardConfiguration-wg2', 'POST', '/api/deleteWireguardConfiguration', { json: { ConfigurationName: 'wg2' } });

// ---------- 5e. dashboard settings, API keys, locale, e-mail ----------
await exchange('updateDashboardConfigurationItem-invalid-request', 'POST', '/api/updateDashboardConfigurationItem', { json: { section: 'Server' } });
await exchange('updateDashboardConfigurationItem-theme-light', 'POST', '/api/updateDashboardConfigurationItem', { json: { section: 'Server', key: 'dashboard_theme', value: 'light' } });
await exchange('getDashboardTheme-light-no-key', 'GET', '/api/getDashboardTheme', { key: false });
await exchange('updateDashboardConfigurationItem-theme-dark', 'POST', '/api/updateDashboardConfigurationItem', { json: { section: 'Server', key: 'dashboard_theme', value: 'dark' } });
await exchange('updateDashboardConfigurationItem-unknown-key', 'POST', '/api/updateDashboardConfigurationItem', { json: { section: 'Peers', key: 'peer_display_mode23', value: 'x' } });
await exchange('updateDashboardConfigurationItem-unknown-section', 'POST', '/api/updateDashboardConfigurationItem', { json: { section: 'Nope', key: 'x', value: 'x' } });
await exchange('updateDashboardConfigurationItem-bad-dns', 'POST', '/api/updateDashboardConfigurationItem', { json: { section: 'Peers', key: 'peer_global_dns', value: 'not a dns' } });
// The validation compares the key as sent; configparser stores it lower-cased: the mixed-case key skips validation.
await exchange('updateDashboardConfigurationItem-bad-dns-mixed-case-key', 'POST', '/api/updateDashboardConfigurationItem', { json: { section: 'Peers', key: 'peer_global_DNS', value: 'not a dns' } });
await exchange('updateDashboardConfigurationItem-dns-restore', 'POST', '/api/updateDashboardConfigurationItem', { json: { section: 'Peers', key: 'peer_global_dns', value: '1.1.1.1' } });
await exchange('updateDashboardConfigurationItem-bad-endpoint-allowed-ip', 'POST', '/api/updateDashboardConfigurationItem', { json: { section: 'Peers', key: 'peer_endpoint_allowed_ip', value: 'abc' } });
await exchange('updateDashboardConfigurationItem-hidden-key', 'POST', '/api/updateDashboardConfigurationItem', { json: { section: 'Server', key: 'auth_req', value: 'false' } });
await exchange('updateDashboardConfigurationItem-bool', 'POST', '/api/updateDashboardConfigurationItem', { json: { section: 'Other', key: 'welcome_session', value: false } });
await exchange('newDashboardAPIKey-missing', 'POST', '/api/newDashboardAPIKey', { json: {} });
await exchange('newDashboardAPIKey-bad-date', 'POST', '/api/newDashboardAPIKey', { json: { NeverExpire: false, ExpiredAt: '2099-12-31' } });
const newKeys = await exchange('newDashboardAPIKey-expiring', 'POST', '/api/newDashboardAPIKey', { json: { NeverExpire: false, ExpiredAt: '2099-12-31 23:59:59' } });
const created = (newKeys.json?.data ?? []).find((k) => k.Key !== KEY);
need(created, 'API key created');
await exchange('deleteDashboardAPIKey-unknown', 'POST', '/api/deleteDashboardAPIKey', { json: { Key: 'nope' } });
await exchange('deleteDashboardAPIKey-created', 'POST', '/api/deleteDashboardAPIKey', { json: { Key: created.Key } });
await exchange('locale-update-missing-no-key', 'POST', '/api/locale/update', { key: false, json: {} });
await exchange('locale-update-unknown-no-key', 'POST', '/api/locale/update', { key: false, json: { lang_id: 'zh-CN' } });
await exchange('locale-update-zh-cn-no-key', 'POST', '/api/locale/update', { key: false, json: { lang_id: 'zh-cn' } });
await exchange('locale-zh-cn-no-key', 'GET', '/api/locale', { key: false });
await exchange('locale-update-en-no-key', 'POST', '/api/locale/update', { key: false, json: { lang_id: 'en' } });
await exchange('email-ready', 'GET', '/api/email/ready');
await exchange('email-send-missing-receiver', 'POST', '/api/email/send', { json: {} });
await exchange('email-send-not-configured', 'POST', '/api/email/send', { json: { Receiver: 'someone@example.com', Subject: 's', Body: 'b' } });
await exchange('email-previewBody-empty', 'POST', '/api/email/previewBody', { json: { Body: '' } });
await exchange('email-previewBody-missing-peer', 'POST', '/api/email/previewBody', { json: { Body: 'x', ConfigurationName: 'wg0' } });
await exchange('email-previewBody-unknown-peer', 'POST', '/api/email/previewBody', { json: { Body: 'x', ConfigurationName: 'wg0', Peer: 'nope' } });
await exchange('email-previewBody-wg0-peer-a', 'POST', '/api/email/previewBody', {
  json: { Body: 'Hi {{ peer.name }} ({{ peer.allowed_ip }}), file {{ configurationFile.fileName }}.conf\n', ConfigurationName: 'wg0', Peer: peerA.pub },
});
// systemStatus is not recorded: its body lists the recording machine's processes with their command lines.
await exchange('ping-execute-missing', 'GET', '/api/ping/execute?ipAddress=127.0.0.1');
await exchange('ping-execute-bad-count', 'GET', '/api/ping/execute?ipAddress=127.0.0.1&count=x');
// loopback of the oracle's own namespace only; the geo lookup fails at once (empty resolv.conf)
await exchange('ping-execute-loopback', 'GET', '/api/ping/execute?ipAddress=127.0.0.1&count=1');
await exchange('traceroute-execute-missing', 'GET', '/api/traceroute/execute');
await exchange('traceroute-execute-loopback', 'GET', '/api/traceroute/execute?ipAddress=127.0.0.1');
await exchange('fileDownload-missing-no-key', 'GET', '/fileDownload', { key: false });
await exchange('fileDownload-unknown-no-key', 'GET', '/fileDownload?file=nope.zip', { key: false });
await exchange('validateAuthentication-no-key', 'GET', '/api/validateAuthentication', { key: false });
await exchange('authenticate-wrong-password-no-key', 'POST', '/api/authenticate', { key: false, json: { username: 'admin', password: 'wrong', totp: '' } });
await exchange('getDashboardConfiguration-key-after-updates', 'GET', '/api/getDashboardConfiguration');

// ---------- 6. names upstream does not validate (notes §4.2); the oracle's /etc is an overlay ----------
await exchange('addWireguardConfiguration-bad-name-semicolon', 'POST', '/api/addWireguardConfiguration', {
  json: { ConfigurationName: 'wg;x', Address: '10.66.8.1/24', ListenPort: '51821', PrivateKey: wgKeyPair().priv, Protocol: 'wg' },
});
await exchange('addWireguardConfiguration-bad-name-dotdot', 'POST', '/api/addWireguardConfiguration', {
  json: { ConfigurationName: '../x', Address: '10.66.9.1/24', ListenPort: '51822', PrivateKey: wgKeyPair().priv, Protocol: 'wg' },
});
await exchange('getWireguardConfigurations-after-bad-names', 'GET', '/api/getWireguardConfigurations');

// ---------- 7. delete a configuration ----------
await exchange('deleteWireguardConfiguration-unknown', 'POST', '/api/deleteWireguardConfiguration', { json: { ConfigurationName: 'nope' } });
await exchange('deleteWireguardConfiguration-wg0', 'POST', '/api/deleteWireguardConfiguration', { json: { ConfigurationName: 'wg0' } });
await sleep(100);
await exchange('getWireguardConfigurations-after-delete', 'GET', '/api/getWireguardConfigurations');

console.log(`wrote ${written.length} fixtures to ${OUT}`);
