import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_CA_BUNDLE,
  dnsForwarderPaths,
  generateKeyPair,
  renderDnsForwarderConfig,
  renderServerPeers,
  serverAddress,
  type DnsForwarderSet,
} from '@wgfleet/wireguard';
import { firstFreeHost, labClientConfig } from './lab-tunnel.js';
import { nodePlan } from './address-plan.js';
import { dnsQuery, makeLabCa, RCODE, startUnbound, upstreamConfig } from './dns-lab.js';
import { Lab, type LabClient, type LabNode } from './lab.js';
import * as nodeCommands from './node-commands.js';
import { isAlive, terminate, type TrackedPid } from './processes.js';
import { mustRun } from './run.js';
import { SshExec } from './ssh-exec.js';

jest.setTimeout(60_000);

const IFNAME = 'wg0';
const LISTEN_PORT = 51820;
const SUBNET_V4 = '10.66.1.0/24';
const SUBNET_V6 = 'fd42:66:1::/64';
const TLS_NAME = 'dot.example.com';
const NAME = 'www.example.com';
// Only DNS data: never put on any link.
const RECORD_V4 = '198.51.100.77';
const RECORD_V6 = '2001:db8:77::77';

// Nothing listening: the port-unreachable comes back as ECONNREFUSED, or (rate-limited ICMP) no reply in time.
const NO_ANSWER = /^(ECONNREFUSED|timeout)$/;

const sha256 = async (file: string): Promise<string> => createHash('sha256').update(await readFile(file)).digest('hex');

describe('lab: a server resolver on the node answers its clients through the tunnel, forwarding only over TLS', () => {
  let lab: Lab | undefined;
  let node: LabNode;
  let client: LabClient;
  let dir: string | undefined;
  let upstreamIp: string;
  let systemBundleHash: string;
  const started: TrackedPid[] = [];

  const serverKeys = generateKeyPair();
  const clientKeys = generateKeyPair();
  const serverV4 = serverAddress(SUBNET_V4);
  const serverV6 = serverAddress(SUBNET_V6);
  const clientV4 = firstFreeHost(SUBNET_V4);
  const clientV6 = firstFreeHost(SUBNET_V6);

  const forwarderSet = (overrides: Partial<DnsForwarderSet> = {}): DnsForwarderSet => ({
    interfaceName: IFNAME,
    tunnelIpv4: serverV4,
    tunnelIpv6: serverV6,
    allowedSubnets: [SUBNET_V4, SUBNET_V6],
    upstreams: [{ address: upstreamIp, tlsName: TLS_NAME }],
    runtimeDirectory: join(dir!, 'node-run'),
    ...overrides,
  });

  /** Renders the config, writes it where dnsForwarderPaths says, and runs unbound in the node's namespaces. */
  async function startForwarder(set: DnsForwarderSet, label: string): Promise<{ pid: TrackedPid; logFile: string }> {
    const { configFile } = dnsForwarderPaths(set.runtimeDirectory, set.interfaceName);
    await writeFile(configFile, renderDnsForwarderConfig(set));
    await mustRun(['unbound-checkconf', configFile]);
    const enter = ['nsenter', '-t', String(node.sshdPid), '-m', '-n', '--'];
    const logFile = join(dir!, `${label}.log`);
    const pid = await startUnbound(enter, configFile, logFile, `unbound ${label} in ${node.netns}`);
    started.push(pid);
    return { pid, logFile };
  }

  async function stop(pid: TrackedPid): Promise<void> {
    expect(await terminate([pid])).toEqual([]);
  }

  const ask = (server: string, type: 'A' | 'AAAA' = 'A', timeoutMs = 5_000) => dnsQuery(client.netns, server, NAME, type, timeoutMs);

  beforeAll(async () => {
    systemBundleHash = await sha256(DEFAULT_CA_BUNDLE);
    dir = await mkdtemp(join(tmpdir(), 'wgl-dot-'));
    for (const sub of ['node-run', 'upstream']) await mkdir(join(dir, sub), { mode: 0o700 });
    lab = await Lab.create({ nodes: 1, clientsPerNode: 1, internet: true });
    node = lab.nodes[0]!;
    client = lab.clients[0]![0]!;
    upstreamIp = nodePlan(node.number).internetIp;

    // The tunnel, as the push would set it up, over real SSH.
    const ssh = await SshExec.connect({
      host: node.sshHost,
      port: node.sshPort,
      username: node.username,
      privateKey: node.privateKey,
      hostKey: node.hostKey,
    });
    try {
      const up = await ssh.exec(nodeCommands.bringUpInterface(IFNAME), `${serverV4}/24\n${serverV6}/64\n`);
      if (up.code !== 0) throw new Error(`bring up: ${up.stderr}`);
      const peers = renderServerPeers({
        privateKey: serverKeys.privateKey,
        listenPort: LISTEN_PORT,
        peers: [{ publicKey: clientKeys.publicKey, presharedKey: null, allowedIps: [`${clientV4}/32`, `${clientV6}/128`] }],
      });
      const sync = await ssh.exec(nodeCommands.syncPeers(IFNAME), peers);
      if (sync.code !== 0) throw new Error(`syncconf: ${sync.stderr}`);
    } finally {
      ssh.close();
    }
    await client.bringUp(
      labClientConfig(
        node,
        { publicKey: serverKeys.publicKey, listenPort: LISTEN_PORT, subnets: [SUBNET_V4, SUBNET_V6] },
        { privateKey: clientKeys.privateKey, v4: clientV4, v6: clientV6 },
      ),
    );

    // The TLS-only upstream in the "internet", with a certificate from a throwaway lab CA.
    const tls = await makeLabCa(dir, TLS_NAME);
    const upstreamDir = join(dir, 'upstream');
    const upstreamFile = join(upstreamDir, 'unbound.conf');
    await writeFile(
      upstreamFile,
      upstreamConfig(upstreamDir, upstreamIp, tls, [`${NAME}. 300 IN A ${RECORD_V4}`, `${NAME}. 300 IN AAAA ${RECORD_V6}`]),
    );
    started.push(await startUnbound(['ip', 'netns', 'exec', lab.internet!.netns], upstreamFile, join(dir, 'upstream.log'), 'unbound upstream'));

    // The node trusts the lab CA the way a real node trusts a public one: through its system bundle,
    // replaced (system CAs + lab CA) inside the node's private mount namespace only.
    const labBundle = join(dir, 'node-system-bundle.pem');
    await writeFile(labBundle, Buffer.concat([await readFile(DEFAULT_CA_BUNDLE), await readFile(tls.caCert)]));
    await mustRun(['nsenter', '-t', String(node.sshdPid), '-m', '--', 'mount', '--bind', labBundle, DEFAULT_CA_BUNDLE]);
    // The same system bundle without the lab CA, for a node that must not trust the upstream.
    await copyFile(DEFAULT_CA_BUNDLE, join(dir, 'system-bundle-without-lab-ca.pem'));
  });

  afterAll(async () => {
    await terminate(started);
    await lab?.destroy();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('has an upstream that answers only over TLS: nothing listens on its port 53', async () => {
    const plain = await dnsQuery(node.netns, upstreamIp, NAME, 'A', 1_500);
    expect(plain).toEqual({ ok: false, reason: expect.stringMatching(NO_ANSWER) });
  });

  it('resolves a name from the client through the tunnel, over IPv4 and IPv6, with the default system bundle', async () => {
    const { pid } = await startForwarder(forwarderSet(), 'forwarder');
    try {
      expect(await ask(serverV4, 'A')).toEqual({ ok: true, rcode: RCODE.NOERROR, answers: [RECORD_V4] });
      expect(await ask(serverV6, 'AAAA')).toEqual({ ok: true, rcode: RCODE.NOERROR, answers: [RECORD_V6] });
      // The upstream's local zone is static: an unknown name is NXDOMAIN from the upstream, not a failure.
      expect(await dnsQuery(client.netns, serverV4, 'nothing.example.com', 'A', 5_000)).toEqual({ ok: true, rcode: RCODE.NXDOMAIN, answers: [] });
    } finally {
      await stop(pid);
    }
    expect(isAlive(pid)).toBe(false);
  });

  it('stops answering once the node resolver is stopped', async () => {
    expect(await ask(serverV4, 'A', 1_500)).toEqual({ ok: false, reason: expect.stringMatching(NO_ANSWER) });
    expect(await ask(serverV6, 'AAAA', 1_500)).toEqual({ ok: false, reason: expect.stringMatching(NO_ANSWER) });
  });

  it('refuses a client whose subnet is not allowed', async () => {
    const { pid } = await startForwarder(forwarderSet({ allowedSubnets: ['10.99.0.0/24', 'fd42:99::/64'] }), 'forwarder-other-subnet');
    try {
      expect(await ask(serverV4, 'A')).toEqual({ ok: true, rcode: RCODE.REFUSED, answers: [] });
      expect(await ask(serverV6, 'AAAA')).toEqual({ ok: true, rcode: RCODE.REFUSED, answers: [] });
    } finally {
      await stop(pid);
    }
  });

  it.each([
    ['a bundle without the lab CA', { caBundle: 'system-bundle-without-lab-ca.pem' }],
    ['a TLS name the certificate does not carry', { tlsName: 'other.example.com' }],
  ])('answers SERVFAIL when the upstream certificate fails verification: %s', async (_what, change) => {
    const overrides: Partial<DnsForwarderSet> =
      'caBundle' in change
        ? { caBundle: join(dir!, change.caBundle) }
        : { upstreams: [{ address: upstreamIp, tlsName: change.tlsName }] };
    const { pid, logFile } = await startForwarder(forwarderSet(overrides), `forwarder-${'caBundle' in change ? 'untrusted-ca' : 'wrong-name'}`);
    try {
      expect(await ask(serverV4, 'A', 10_000)).toEqual({ ok: true, rcode: RCODE.SERVFAIL, answers: [] });
    } finally {
      await stop(pid);
    }
    // The TLS handshake itself failed on the certificate; no other route to an answer was tried.
    expect(await readFile(logFile, 'utf8')).toContain('certificate verify failed');
  });

  it('leaves no process, namespace, file or mount behind, and the machine CA bundle untouched', async () => {
    expect(await terminate(started)).toEqual([]);
    await lab!.destroy();
    expect(await lab!.leftovers()).toEqual([]);
    await rm(dir!, { recursive: true, force: true });
    // The lab bundle was bind-mounted in the node's private mount namespace only.
    expect(await sha256(DEFAULT_CA_BUNDLE)).toBe(systemBundleHash);
  });
});
