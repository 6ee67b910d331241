import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, track, type TrackedPid } from './processes.js';
import { mustRun, run } from './run.js';

// DNS-over-TLS in the lab: a throwaway CA, unbound started in the foreground inside a namespace, and a
// one-question DNS client. Keys and certificates live only in the test's temp dir.

export interface LabTlsFiles {
  caCert: string;
  serverKey: string;
  serverCert: string;
}

/** A lab CA and a server certificate for `serverName` (its only subjectAltName) signed by it. */
export async function makeLabCa(dir: string, serverName: string): Promise<LabTlsFiles> {
  if (!/^[a-z0-9.-]+$/.test(serverName)) throw new Error(`lab: bad server name ${serverName}`);
  const files = { caCert: join(dir, 'lab-ca.pem'), serverKey: join(dir, 'dot.key'), serverCert: join(dir, 'dot.pem') };
  const caKey = join(dir, 'lab-ca.key');
  const csr = join(dir, 'dot.csr');
  const extensions = join(dir, 'dot.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await mustRun(['openssl', 'req', '-x509', ...ec, '-keyout', caKey, '-out', files.caCert, '-days', '2', '-subj', '/CN=wgfleet lab CA']);
  await mustRun(['openssl', 'req', ...ec, '-keyout', files.serverKey, '-out', csr, '-subj', `/CN=${serverName}`]);
  await writeFile(extensions, `subjectAltName=DNS:${serverName}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  await mustRun([
    'openssl', 'x509', '-req', '-in', csr, '-CA', files.caCert, '-CAkey', caKey, '-set_serial', String(Date.now()),
    '-days', '2', '-extfile', extensions, '-out', files.serverCert,
  ]);
  return files;
}

/** The TLS-only upstream: answers its local data on ADDRESS@853 and listens on nothing else. */
export function upstreamConfig(dir: string, address: string, tls: LabTlsFiles, records: readonly string[]): string {
  return [
    'server:',
    '  verbosity: 1',
    '  use-syslog: no',
    '  logfile: ""',
    '  username: ""',
    '  chroot: ""',
    `  directory: "${dir}"`,
    `  pidfile: "${join(dir, 'upstream.pid')}"`,
    '  interface-automatic: no',
    `  interface: ${address}@853`,
    '  tls-port: 853',
    `  tls-service-key: "${tls.serverKey}"`,
    `  tls-service-pem: "${tls.serverCert}"`,
    '  access-control: 0.0.0.0/0 allow',
    '  module-config: "iterator"',
    '  local-zone: "example.com." static',
    ...records.map((record) => `  local-data: "${record}"`),
    'remote-control:',
    '  control-enable: no',
    '',
  ].join('\n');
}

/**
 * `unbound -d -c configFile` behind `enter` (ip netns exec / nsenter, both exec in place, so the pid
 * is unbound's own), resolved once it logs "start of service". Its log goes to a file, never a pipe
 * we might close: unbound would die of SIGPIPE on its next log line.
 */
export async function startUnbound(enter: readonly string[], configFile: string, logFile: string, label: string): Promise<TrackedPid> {
  const log = openSync(logFile, 'a');
  const child = spawn(enter[0]!, [...enter.slice(1), 'unbound', '-d', '-c', configFile], { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  child.unref();
  const pid = child.pid === undefined ? null : track(child.pid, label);
  if (pid === null) throw new Error(`lab: ${label} did not start: ${readFileSync(logFile, 'utf8')}`);
  for (let attempt = 0; attempt < 100; attempt++) {
    if (readFileSync(logFile, 'utf8').includes('start of service')) return pid;
    if (!isAlive(pid)) break;
    await sleep(50);
  }
  throw new Error(`lab: ${label} did not start serving: ${readFileSync(logFile, 'utf8')}`);
}

// A constant script; the server, name, type and timeout arrive as argv. One question with RD set, over
// a connected UDP socket (so an ICMP port-unreachable surfaces as ECONNREFUSED); prints the rcode and
// the A/AAAA answers as JSON, or exits 2 with the reason when nothing usable came back in time.
const DNS_QUERY_SCRIPT = `
const [server, name, type, timeoutMs] = process.argv.slice(1);
const qtype = type === 'AAAA' ? 28 : 1;
const id = Math.floor(Math.random() * 65536);
const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')]));
const query = Buffer.concat([Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, qtype, 0, 1])]);
const socket = require('node:dgram').createSocket(server.includes(':') ? 'udp6' : 'udp4');
const fail = (why) => { process.stderr.write(why); process.exit(2); };
setTimeout(() => fail('timeout'), Number(timeoutMs));
socket.on('error', (e) => fail(e.code || e.message));
const skipName = (m, o) => {
  while (o < m.length && m[o] !== 0) { if ((m[o] & 0xc0) === 0xc0) return o + 2; o += m[o] + 1; }
  if (o >= m.length) fail('malformed answer');
  return o + 1;
};
socket.on('message', (m) => {
  if (m.readUInt16BE(0) !== id) return;
  const answers = [];
  let o = 12;
  // A refusal may carry no question section at all.
  for (let i = 0; i < m.readUInt16BE(4); i++) o = skipName(m, o) + 4;
  for (let i = 0; i < m.readUInt16BE(6); i++) {
    o = skipName(m, o);
    const rtype = m.readUInt16BE(o), length = m.readUInt16BE(o + 8), data = m.subarray(o + 10, o + 10 + length);
    if (rtype === 1) answers.push([...data].join('.'));
    // The URL parser writes an IPv6 literal in its canonical (RFC 5952) form.
    if (rtype === 28) answers.push(new URL('http://[' + Array.from({ length: 8 }, (_, k) => data.readUInt16BE(2 * k).toString(16)).join(':') + ']/').hostname.slice(1, -1));
    o += 10 + length;
  }
  process.stdout.write(JSON.stringify({ rcode: m[3] & 15, answers }));
  process.exit(0);
});
socket.connect(53, server, () => socket.send(query));
`;

export const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export type DnsAnswer = { ok: true; rcode: number; answers: string[] } | { ok: false; reason: string };

/** Asks `server`:53 from inside `netns` (an A or AAAA question), waiting at most `timeoutMs`. */
export async function dnsQuery(netns: string, server: string, name: string, type: 'A' | 'AAAA', timeoutMs: number): Promise<DnsAnswer> {
  if (isIP(server) === 0) throw new Error(`lab: dnsQuery wants an IP address, got ${server}`);
  if (!/^[a-z0-9.-]+$/.test(name)) throw new Error(`lab: bad query name ${name}`);
  const result = await run(['ip', 'netns', 'exec', netns, process.execPath, '-e', DNS_QUERY_SCRIPT, server, name, type, String(timeoutMs)], {
    timeoutMs: timeoutMs + 5_000,
  });
  if (result.code !== 0) return { ok: false, reason: result.stderr.trim() || `exit ${String(result.code)}` };
  const parsed = JSON.parse(result.stdout) as { rcode: number; answers: string[] };
  return { ok: true, ...parsed };
}
