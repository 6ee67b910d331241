// The push of a server whose users are all bandwidth-limited (issue 11), on a real node: the built
// SshNodeDriver applies a 1,000-user server (IPv4 + IPv6 per user) over real SSH to a lab node
// (network namespace, sshd, wireguard-go), as in test/lab. Baseline: the same server, no limits.
//   1. the periodic pass / any push of the limited server (batch unchanged: tc is only looked at);
//   2. the push that installs the limits (batch changed: every qdisc, class and filter rebuilt).
// Needs root and `npm run build`. Run alone: node bench/shaping-bench.mjs
import { createRequire } from 'node:module';
import { loadLab } from './lab-loader.mjs';
import { median } from './support.mjs';

const require = createRequire(import.meta.url);
const USERS = 1_000;
const RUNS = 7;
const IFNAME = 'wg0';
// Lab ranges only, inside the node's namespace.
const SUBNET_V4 = '10.66.64.0/22';
const SUBNET_V6 = 'fd42:66:64::/64';
const DOWNLOAD_KBIT = 8_000;
const UPLOAD_KBIT = 4_000;

function loadBuilt() {
  try {
    return {
      core: require('../dist/libs/wireguard/src/index.js'),
      drivers: require('../dist/libs/ssh-driver/src/index.js'),
    };
  } catch (error) {
    throw new Error(`dist/ is missing or broken; run \`npm run build\` first (${error.message})`);
  }
}

/** The 1,000-user server with every user limited both ways (`limited`) or none; same peers either way. */
function serverStates(core) {
  const server = core.generateKeyPair();
  const users = Array.from({ length: USERS }, (_, i) => {
    const n = i + 2;
    const v4 = `10.66.${64 + (n >> 8)}.${n & 255}`;
    const v6 = `fd42:66:64::${n.toString(16)}`;
    return { publicKey: core.generateKeyPair().publicKey, addresses: [`${v4}/32`, `${v6}/128`] };
  });
  const peersConfig = core.renderServerPeers({
    privateKey: server.privateKey,
    listenPort: 51820,
    peers: users.map((u) => ({ publicKey: u.publicKey, presharedKey: null, allowedIps: u.addresses })),
  });
  const state = (limited) => ({
    interfaceName: IFNAME,
    addresses: [`${core.serverAddress(SUBNET_V4)}/22`, `${core.serverAddress(SUBNET_V6)}/64`],
    mtu: null,
    tunnelSubnets: [SUBNET_V4, SUBNET_V6],
    peersConfig,
    forwardRules: core.renderPortForwardRules({ interfaceName: IFNAME, serverTunnelIp: core.serverAddress(SUBNET_V4), forwards: [] }),
    shaping: {
      ifbName: core.ifbDeviceName(IFNAME),
      batch: core.renderShapingBatch({
        interfaceName: IFNAME,
        peers: limited ? users.map((u) => ({ addresses: u.addresses, downloadKbit: DOWNLOAD_KBIT, uploadKbit: UPLOAD_KBIT })) : [],
      }),
    },
    dnsForwarderConfig: null,
  });
  return { none: state(false), limited: state(true) };
}

async function countOnNode(node, argv) {
  const result = await node.exec(argv, { timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`${argv.join(' ')}: ${result.stderr}`);
  return result.stdout.split('\n').filter(Boolean).length;
}

export async function runShapingBench() {
  if (process.getuid() !== 0) throw new Error('the shaping bench needs root (network namespaces, sshd, wireguard-go), like test/lab');
  const { core, drivers } = loadBuilt();
  const { Lab } = await loadLab();
  const lab = await Lab.create({ nodes: 1, clientsPerNode: 0, internet: false });
  const driver = new drivers.SshNodeDriver({ connectTimeoutMs: 10_000, commandTimeoutMs: 60_000 });
  try {
    const node = lab.nodes[0];
    const target = {
      nodeId: 1,
      name: node.name,
      transport: 'ssh',
      ssh: { host: node.sshHost, port: node.sshPort, username: node.username, privateKey: node.privateKey, hostKey: node.hostKey },
    };
    const states = serverStates(core);
    const timed = async (state) => {
      const started = performance.now();
      await driver.apply(target, state);
      return performance.now() - started;
    };

    // Warm-up: the interface, its peers and the connection exist before anything is timed.
    await timed(states.none);
    await timed(states.none);
    const times = { none: [], limited: [], install: [] };
    for (let run = 0; run < RUNS; run++) {
      times.none.push(await timed(states.none)); // no limits, unchanged: the ordinary push
      times.install.push(await timed(states.limited)); // limits installed: tc rebuilds everything
      times.limited.push(await timed(states.limited)); // limits unchanged: tc only looked at
      await timed(states.none); // limits cleared again for the next round (not timed)
    }
    // The limits really reached the node: a class per user on each side, a filter per address.
    await timed(states.limited);
    const classes = await countOnNode(node, ['tc', 'class', 'show', 'dev', IFNAME]);
    const ifbClasses = await countOnNode(node, ['tc', 'class', 'show', 'dev', core.ifbDeviceName(IFNAME)]);
    if (classes !== USERS + 1 || ifbClasses !== USERS + 1) throw new Error(`expected ${USERS + 1} classes per side, found ${classes} and ${ifbClasses}`);

    const baseline = median(times.none);
    const row = (name, values) => ({ name, value: Math.round(median(values)), unit: 'ms', baseline: Math.round(baseline), ratio: median(values) / baseline });
    return [
      row(`${USERS}-user server, every user limited both ways: push (apply over SSH), p50 of ${RUNS} (vs no limits; goal ≤ 1.5)`, times.limited),
      row(`${USERS}-user server: the push that installs all ${USERS} limits (tc rebuilt), p50 of ${RUNS} (vs no limits)`, times.install),
    ];
  } finally {
    await driver.close();
    await lab.destroy();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await runShapingBench());
}
