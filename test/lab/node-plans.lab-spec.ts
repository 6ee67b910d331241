import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NodeCommandError, type DesiredServerState, type NodeTarget } from '@wgfleet/node-sync';
import { LocalNodeDriver, SshNodeDriver } from '@wgfleet/ssh-driver';
import {
  DEFAULT_CA_BUNDLE,
  dnsForwarderPaths,
  generateKeyPair,
  ifbDeviceName,
  NODE_RUNTIME_DIRECTORY,
  renderDnsForwarderConfig,
  renderPortForwardRules,
  renderServerPeers,
  renderShapingBatch,
  serverAddress,
  type LimitedPeer,
} from '@wgfleet/wireguard';
import { nodePlan } from './address-plan.js';
import { dnsQuery, makeLabCa, RCODE, startUnbound, upstreamConfig } from './dns-lab.js';
import { sshTargetOf } from './lab-fleet.js';
import { firstFreeHost, labClientConfig } from './lab-tunnel.js';
import { Lab, type LabClient, type LabNode } from './lab.js';
import { terminate, type TrackedPid } from './processes.js';
import { mustRun } from './run.js';

jest.setTimeout(120_000);

// The push's node side of service plans, over real SSH: bandwidth shaping (tc + ifb) and the
// DNS-over-TLS resolver (unbound), applied, kept, repaired, changed and removed by the same single
// apply as the peers.

const IFNAME = 'wg0';
const IFB = ifbDeviceName(IFNAME);
const LISTEN_PORT = 51820;
const SUBNET_V4 = '10.66.5.0/24';
const SUBNET_V6 = 'fd42:66:5::/64';
const TLS_NAME = 'dot.example.com';
const NAME = 'www.example.com';
// Only DNS data: never put on any link.
const RECORD_V4 = '198.51.100.55';
const RECORD_V6 = '2001:db8:55::55';
const NO_ANSWER = /^(ECONNREFUSED|timeout)$/;
const { configFile: UNBOUND_CONF, pidFile: UNBOUND_PID } = dnsForwarderPaths(NODE_RUNTIME_DIRECTORY, IFNAME);

describe('lab: one apply shapes bandwidth and runs the DNS-over-TLS resolver on a real node', () => {
  let lab: Lab | undefined;
  let node: LabNode;
  let client: LabClient;
  let target: NodeTarget;
  let dir: string | undefined;
  let upstreamIp: string;
  const started: TrackedPid[] = [];
  const driver = new SshNodeDriver({ connectTimeoutMs: 5_000, commandTimeoutMs: 20_000 });

  const serverKeys = generateKeyPair();
  const clientKeys = generateKeyPair();
  const serverV4 = serverAddress(SUBNET_V4);
  const serverV6 = serverAddress(SUBNET_V6);
  const clientV4 = firstFreeHost(SUBNET_V4);
  const clientV6 = firstFreeHost(SUBNET_V6);
  const limited: LimitedPeer = { addresses: [`${clientV4}/32`, `${clientV6}/128`], downloadKbit: 8_000, uploadKbit: 4_000 };

  function desired(options: { limits: LimitedPeer[]; dns: 'none' | 'v4' | 'v4+v6' }, iface = IFNAME): DesiredServerState {
    return {
      interfaceName: iface,
      addresses: [`${serverV4}/24`, `${serverV6}/64`],
      mtu: null,
      tunnelSubnets: [SUBNET_V4, SUBNET_V6],
      peersConfig: renderServerPeers({
        privateKey: serverKeys.privateKey,
        listenPort: LISTEN_PORT,
        peers: [{ publicKey: clientKeys.publicKey, presharedKey: null, allowedIps: [`${clientV4}/32`, `${clientV6}/128`] }],
      }),
      forwardRules: renderPortForwardRules({ interfaceName: iface, serverTunnelIp: serverV4, forwards: [] }),
      shaping: { ifbName: ifbDeviceName(iface), batch: renderShapingBatch({ interfaceName: iface, peers: options.limits }) },
      dnsForwarderConfig:
        options.dns === 'none'
          ? null
          : renderDnsForwarderConfig({
              interfaceName: iface,
              tunnelIpv4: serverV4,
              tunnelIpv6: options.dns === 'v4+v6' ? serverV6 : null,
              allowedSubnets: [SUBNET_V4, SUBNET_V6],
              upstreams: [{ address: upstreamIp, tlsName: TLS_NAME }],
              runtimeDirectory: NODE_RUNTIME_DIRECTORY,
            }),
    };
  }

  async function nodeOut(argv: readonly string[]): Promise<string> {
    const result = await node.exec(argv);
    if (result.code !== 0) throw new Error(`node: ${argv.join(' ')} exited ${String(result.code)}: ${result.stderr}`);
    return result.stdout;
  }

  /** tc's view of the shaping without -s: qdiscs, classes, filters of wg0 (egress and ingress) and its ifb. */
  async function shaping(dev = IFNAME, ifb = IFB) {
    const show = async (...argv: string[]) => nodeOut(['tc', ...argv]);
    return {
      qdiscs: await show('qdisc', 'show', 'dev', dev),
      classes: await show('class', 'show', 'dev', dev),
      filters: await show('filter', 'show', 'dev', dev),
      ingress: await show('filter', 'show', 'dev', dev, 'ingress'),
      ifbQdiscs: await show('qdisc', 'show', 'dev', ifb),
      ifbClasses: await show('class', 'show', 'dev', ifb),
      ifbFilters: await show('filter', 'show', 'dev', ifb),
    };
  }

  /** Bytes HTB counted in class 1:2 (the limited client) on wg0: a rebuilt tree starts again from 0. */
  async function limitedClassBytes(): Promise<number> {
    const stats = await nodeOut(['tc', '-s', 'class', 'show', 'dev', IFNAME, 'classid', '1:2']);
    const sent = /Sent (\d+) bytes/.exec(stats);
    if (sent === null) throw new Error(`no counters for class 1:2: ${stats}`);
    return Number(sent[1]);
  }

  const runtimeFiles = async () => (await nodeOut(['ls', '-A', NODE_RUNTIME_DIRECTORY])).split('\n').filter(Boolean).sort();
  const unboundPid = async () => Number((await nodeOut(['cat', UNBOUND_PID])).trim());
  const cmdline = async (pid: number) => (await node.exec(['cat', `/proc/${pid}/cmdline`])).stdout.split('\0').filter(Boolean);
  const ask = (server: string, type: 'A' | 'AAAA' = 'A', timeoutMs = 5_000) => dnsQuery(client.netns, server, NAME, type, timeoutMs);
  const listening = async () => (await nodeOut(['ss', '-H', '-lnu', 'sport', '=', ':53'])).split('\n').filter(Boolean).map((l) => l.split(/\s+/)[3]).sort();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgl-plans-'));
    await mkdir(join(dir, 'upstream'), { mode: 0o700 });
    lab = await Lab.create({ nodes: 1, clientsPerNode: 1, internet: true });
    node = lab.nodes[0]!;
    client = lab.clients[0]![0]!;
    target = sshTargetOf(node);
    upstreamIp = nodePlan(node.number).internetIp;

    // The TLS-only upstream in the "internet", its lab CA trusted by the node through its system
    // bundle (bind-mounted inside the node's private mount namespace only), as in dns-over-tls.lab-spec.
    const tls = await makeLabCa(dir, TLS_NAME);
    const upstreamFile = join(dir, 'upstream', 'unbound.conf');
    await writeFile(upstreamFile, upstreamConfig(join(dir, 'upstream'), upstreamIp, tls, [`${NAME}. 300 IN A ${RECORD_V4}`, `${NAME}. 300 IN AAAA ${RECORD_V6}`]));
    started.push(await startUnbound(['ip', 'netns', 'exec', lab.internet!.netns], upstreamFile, join(dir, 'upstream.log'), 'unbound upstream'));
    const labBundle = join(dir, 'node-system-bundle.pem');
    await writeFile(labBundle, Buffer.concat([await readFile(DEFAULT_CA_BUNDLE), await readFile(tls.caCert)]));
    await mustRun(['nsenter', '-t', String(node.sshdPid), '-m', '--', 'mount', '--bind', labBundle, DEFAULT_CA_BUNDLE]);

    await driver.apply(target, desired({ limits: [], dns: 'none' }));
    await client.bringUp(
      labClientConfig(
        node,
        { publicKey: serverKeys.publicKey, listenPort: LISTEN_PORT, subnets: [SUBNET_V4, SUBNET_V6] },
        { privateKey: clientKeys.privateKey, v4: clientV4, v6: clientV6 },
      ),
    );
    expect(await client.ping(serverV4, 3, 2)).toMatchObject({ code: 0 });
  });

  afterAll(async () => {
    await driver.close();
    await terminate(started);
    await lab?.destroy();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('applies download and upload limits, IPv4 and IPv6, through the ifb', async () => {
    await driver.apply(target, desired({ limits: [limited], dns: 'none' }));

    const tc = await shaping();
    expect(tc.qdiscs).toMatch(/qdisc htb 1: root/);
    expect(tc.qdiscs).toMatch(/qdisc ingress ffff:/);
    expect(tc.classes).toMatch(/class htb 1:2 root .*rate 8Mbit ceil 8Mbit/);
    expect(tc.filters).toMatch(/protocol ip pref 1 u32/);
    expect(tc.filters).toMatch(/protocol ipv6 pref 2 u32/);
    expect(tc.ingress).toMatch(/protocol ip pref 1 .*\n[\s\S]*mirred \(Egress Redirect to device ifb-wg0\)/);
    expect(tc.ingress).toMatch(/protocol ipv6 pref 2 u32/);
    expect(tc.ifbClasses).toMatch(/class htb 1:2 root .*rate 4Mbit ceil 4Mbit/);
    expect(tc.ifbFilters).toMatch(/protocol ipv6 pref 2 u32/);
    expect(await nodeOut(['cat', `/sys/class/net/${IFB}/operstate`])).toMatch(/^(up|unknown)\n$/);
    expect(await runtimeFiles()).toEqual([`tc-${IFNAME}.batch`, `tc-${IFNAME}.state`]);
  });

  it('leaves the shaping untouched when the same limits are applied again: no rebuild, counters kept', async () => {
    expect(await client.ping(serverV4, 20, 2)).toMatchObject({ code: 0 });
    const bytes = await limitedClassBytes();
    expect(bytes).toBeGreaterThan(0);
    const before = await shaping();
    const stamp = await nodeOut(['stat', '-c', '%Y.%y', `${NODE_RUNTIME_DIRECTORY}/tc-${IFNAME}.state`]);

    await driver.apply(target, desired({ limits: [limited], dns: 'none' }));
    await driver.apply(target, desired({ limits: [limited], dns: 'none' }));

    // The mirred action's index is the kernel's running count: a rebuilt ingress would show a new one.
    expect(await shaping()).toEqual(before);
    expect(await limitedClassBytes()).toBeGreaterThanOrEqual(bytes);
    expect(await nodeOut(['stat', '-c', '%Y.%y', `${NODE_RUNTIME_DIRECTORY}/tc-${IFNAME}.state`])).toBe(stamp);
  });

  it('restores a root qdisc deleted by hand on the next apply', async () => {
    const applied = await shaping();
    await nodeOut(['tc', 'qdisc', 'del', 'dev', IFNAME, 'root']);
    expect((await shaping()).classes).toBe('');

    await driver.apply(target, desired({ limits: [limited], dns: 'none' }));

    const restored = await shaping();
    const withoutIndex = (tc: typeof applied) => JSON.parse(JSON.stringify(tc).replace(/index \d+/g, 'index N'));
    expect(withoutIndex(restored)).toEqual(withoutIndex(applied));
  });

  it('clears every qdisc, class and filter once no user is limited', async () => {
    await driver.apply(target, desired({ limits: [], dns: 'none' }));

    const tc = await shaping();
    expect(tc.qdiscs).not.toMatch(/htb|ingress/);
    expect([tc.classes, tc.filters, tc.ingress, tc.ifbClasses, tc.ifbFilters]).toEqual(['', '', '', '', '']);
    expect(tc.ifbQdiscs).not.toMatch(/htb/);
  });

  it('fails with the kernel\'s reason when tc refuses the batch, and runs it again on the next apply', async () => {
    const good = desired({ limits: [limited], dns: 'none' });
    // Renderer-shaped, but a class under a qdisc that does not exist: tc stops at that line.
    const refused = { ...good, shaping: { ...good.shaping, batch: `${good.shaping.batch}class add dev ${IFNAME} parent 9: classid 9:2 htb rate 1kbit\n` } };

    const error = await driver.apply(target, refused).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeCommandError);
    expect((error as Error).message).toMatch(new RegExp(`^node ${node.name}: apply ${IFNAME} exited 2: wgfleet: tc -batch failed: \\S`));
    expect(await runtimeFiles()).toEqual([]);

    await driver.apply(target, desired({ limits: [], dns: 'none' }));
    expect((await shaping()).classes).toBe('');
    expect(await runtimeFiles()).toEqual([`tc-${IFNAME}.batch`, `tc-${IFNAME}.state`]);
  });

  it('starts the resolver on the tunnel address, and it answers the client over a TLS-only upstream', async () => {
    await driver.apply(target, desired({ limits: [], dns: 'v4' }));

    const pid = await unboundPid();
    expect(await cmdline(pid)).toEqual([expect.stringMatching(/^\/(usr\/)?s?bin\/unbound$/), '-c', UNBOUND_CONF]);
    expect(await listening()).toEqual([`${serverV4}:53`]);
    expect(await ask(serverV4)).toEqual({ ok: true, rcode: RCODE.NOERROR, answers: [RECORD_V4] });
    expect(await runtimeFiles()).toEqual([`tc-${IFNAME}.batch`, `tc-${IFNAME}.state`, `unbound-${IFNAME}.conf`, `unbound-${IFNAME}.log`, `unbound-${IFNAME}.pid`]);
  });

  it('leaves a running resolver alone when its config is unchanged', async () => {
    const pid = await unboundPid();
    await driver.apply(target, desired({ limits: [], dns: 'v4' }));
    expect(await unboundPid()).toBe(pid);
    expect(await cmdline(pid)).toEqual([expect.stringMatching(/^\/(usr\/)?s?bin\/unbound$/), '-c', UNBOUND_CONF]);
  });

  it('restarts the resolver when its config changes, and the change takes effect (a new listen address)', async () => {
    const pid = await unboundPid();
    await driver.apply(target, desired({ limits: [limited], dns: 'v4+v6' }));

    const next = await unboundPid();
    expect(next).not.toBe(pid);
    expect(await cmdline(pid)).toEqual([]);
    expect(await listening()).toEqual([`${serverV4}:53`, `[${serverV6}]:53`].sort());
    expect(await ask(serverV6, 'AAAA')).toEqual({ ok: true, rcode: RCODE.NOERROR, answers: [RECORD_V6] });
    // Shaping and resolver in the same apply.
    expect((await shaping()).classes).toMatch(/class htb 1:2 root .*rate 8Mbit/);
  });

  it('starts the resolver again when it died, without touching a process it did not start', async () => {
    const pid = await unboundPid();
    await nodeOut(['kill', '-KILL', String(pid)]);
    // A pid file naming some other live process (the node's sshd): never signalled.
    // Gone (a zombie until its reaper gets to it: its cmdline is empty).
    for (let i = 0; i < 50 && (await cmdline(pid)).length > 0; i++) await sleep(100);
    expect(await cmdline(pid)).toEqual([]);
    await nodeOut(['sh', '-c', 'echo "$1" >"$2"', 'sh', String(node.sshdPid), UNBOUND_PID]);
    const sshd = await cmdline(node.sshdPid);
    expect(sshd).not.toEqual([]);

    await driver.apply(target, desired({ limits: [limited], dns: 'v4+v6' }));

    expect(await cmdline(node.sshdPid)).toEqual(sshd);
    const next = await unboundPid();
    expect(next).not.toBe(node.sshdPid);
    expect(await cmdline(next)).toEqual([expect.stringMatching(/^\/(usr\/)?s?bin\/unbound$/), '-c', UNBOUND_CONF]);
    expect(await ask(serverV4)).toEqual({ ok: true, rcode: RCODE.NOERROR, answers: [RECORD_V4] });
  });

  it('stops the resolver and removes its files when the server has no resolver any more', async () => {
    const pid = await unboundPid();
    await driver.apply(target, desired({ limits: [limited], dns: 'none' }));

    expect(await cmdline(pid)).toEqual([]);
    expect(await runtimeFiles()).toEqual([`tc-${IFNAME}.batch`, `tc-${IFNAME}.state`]);
    expect(await ask(serverV4, 'A', 1_500)).toEqual({ ok: false, reason: expect.stringMatching(NO_ANSWER) });
  });

  it('refuses a resolver on a node without unbound, saying so', async () => {
    const enterMount = ['nsenter', '-t', String(node.sshdPid), '-m', '--'];
    // A non-executable file over the binary, inside the node's private mount namespace only.
    await mustRun([...enterMount, 'mount', '--bind', '/dev/null', '/usr/sbin/unbound']);
    const before = await shaping();
    try {
      const error = await driver.apply(target, desired({ limits: [], dns: 'v4' })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NodeCommandError);
      expect((error as Error).message).toBe(`node ${node.name}: apply ${IFNAME} exited 2: wgfleet: unbound is not installed on the node`);
    } finally {
      await mustRun([...enterMount, 'umount', '/usr/sbin/unbound']);
    }
    // Refused before anything changed: the limits are still there.
    expect(await shaping()).toEqual(before);
    expect(await node.exec(['test', '-e', UNBOUND_CONF])).toMatchObject({ code: 1 });
  });

  it('LocalNodeDriver runs the same script: shaping and resolver on another interface, then removes them', async () => {
    const local = new LocalNodeDriver({ commandPrefix: ['nsenter', '-t', String(node.sshdPid), '-m', '-n', '--'], commandTimeoutMs: 20_000 });
    const localTarget: NodeTarget = { nodeId: 9, name: 'local', transport: 'local', ssh: null };
    const state = { ...desired({ limits: [limited], dns: 'none' }, 'wg1'), addresses: ['10.66.6.1/24'], tunnelSubnets: ['10.66.6.0/24'] };
    state.peersConfig = renderServerPeers({ privateKey: generateKeyPair().privateKey, listenPort: LISTEN_PORT + 1, peers: [] });
    state.shaping = {
      ifbName: ifbDeviceName('wg1'),
      batch: renderShapingBatch({ interfaceName: 'wg1', peers: [{ addresses: ['10.66.6.2/32'], downloadKbit: 1_000, uploadKbit: 500 }] }),
    };
    state.dnsForwarderConfig = renderDnsForwarderConfig({
      interfaceName: 'wg1',
      tunnelIpv4: '10.66.6.1',
      allowedSubnets: ['10.66.6.0/24'],
      upstreams: [{ address: upstreamIp, tlsName: TLS_NAME }],
      runtimeDirectory: NODE_RUNTIME_DIRECTORY,
    });
    await local.apply(localTarget, state);
    const tc = await shaping('wg1', 'ifb-wg1');
    expect(tc.classes).toMatch(/class htb 1:2 root .*rate 1Mbit/);
    expect(tc.ifbClasses).toMatch(/class htb 1:2 root .*rate 500Kbit/);
    const pid = Number((await nodeOut(['cat', dnsForwarderPaths(NODE_RUNTIME_DIRECTORY, 'wg1').pidFile])).trim());
    expect(await cmdline(pid)).toEqual([expect.stringMatching(/^\/(usr\/)?s?bin\/unbound$/), '-c', dnsForwarderPaths(NODE_RUNTIME_DIRECTORY, 'wg1').configFile]);

    await local.remove(localTarget, 'wg1');

    expect(await cmdline(pid)).toEqual([]);
    expect(await node.exec(['ip', 'link', 'show', 'dev', 'ifb-wg1'])).toMatchObject({ code: 1 });
    expect((await runtimeFiles()).filter((f) => f.includes('wg1'))).toEqual([]);
    // wg0 keeps its own.
    expect((await shaping()).classes).toMatch(/class htb 1:2 root .*rate 8Mbit/);
  });

  it('remove() leaves no ifb, qdisc, resolver or runtime file of the interface', async () => {
    await driver.apply(target, desired({ limits: [limited], dns: 'v4' }));
    const pid = await unboundPid();

    await driver.remove(target, IFNAME);

    expect(await cmdline(pid)).toEqual([]);
    expect(await node.exec(['ip', 'link', 'show', 'dev', IFB])).toMatchObject({ code: 1 });
    expect(await node.exec(['ip', 'link', 'show', 'dev', IFNAME])).toMatchObject({ code: 1 });
    expect(await nodeOut(['tc', 'qdisc', 'show'])).not.toMatch(/htb|ingress/);
    expect(await runtimeFiles()).toEqual([]);
    await driver.remove(target, IFNAME);
  });

  it('leaves nothing behind', async () => {
    await driver.close();
    expect(await terminate(started)).toEqual([]);
    await lab!.destroy();
    expect(await lab!.leftovers()).toEqual([]);
  });
});
