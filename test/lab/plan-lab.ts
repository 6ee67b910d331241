import { readFile } from 'node:fs/promises';
import { parseClientConfig, parseWgDump } from '@wgfleet/wireguard';
import { nodeOutput } from './api-lab.js';
import { measureBitsPerSecond, IPERF_PORT, startIperfServer, stopIperfServer } from './iperf.js';
import type { LabClient, LabNode } from './lab.js';
import { toWgSetconf } from './lab-client.js';
import { mustRun, run, type RunResult } from './run.js';

// What the service-plans lab spec observes on a node and through a client's tunnel: throughput,
// traffic volume, the peers and the shaping the push left, and the node's own processes.

/** The public keys of the interface's peers on the node. */
export async function nodePeerKeys(node: LabNode, ifname: string): Promise<string[]> {
  return parseWgDump(await nodeOutput((argv) => node.exec(argv), node.name, ['wg', 'show', ifname, 'dump'])).peers.map((p) => p.publicKey);
}

/**
 * Every qdisc, class and filter of the interface and of its ifb, without -s; a mirred action's index
 * is the kernel's running count, not our state. A view that fails (no such device) reads as its error.
 */
export async function shapingState(node: LabNode, ifname: string, ifbName: string): Promise<string[]> {
  // The interface's qdiscs, classes, filters and ingress filters, then the ifb's qdiscs, classes and filters.
  const views: string[][] = [
    ['qdisc', 'show', 'dev', ifname],
    ['class', 'show', 'dev', ifname],
    ['filter', 'show', 'dev', ifname],
    ['filter', 'show', 'dev', ifname, 'ingress'],
    ['qdisc', 'show', 'dev', ifbName],
    ['class', 'show', 'dev', ifbName],
    ['filter', 'show', 'dev', ifbName],
  ];
  const out: string[] = [];
  for (const view of views) {
    const result = await node.exec(['tc', ...view]);
    out.push(result.code === 0 ? result.stdout.replace(/\bindex \d+/g, 'index N') : `(${view.join(' ')} failed: ${result.stderr.trim()})`);
  }
  return out;
}

/** The HTB rates (e.g. `8Mbit`) of the classes on a device, sorted; the unlimited default class included. */
export async function htbRates(node: LabNode, dev: string): Promise<string[]> {
  const result = await node.exec(['tc', 'class', 'show', 'dev', dev]);
  if (result.code !== 0) return [];
  return [...result.stdout.matchAll(/class htb \S+ .*?\brate (\S+)/g)].map((m) => m[1]!).sort();
}

export type Direction = 'download' | 'upload';

/**
 * Mbit/s the receiving side measured through the tunnel to `serverIp` (the server's tunnel address):
 * download = the node sends (`-R`), upload = the client sends. One iperf3 server per run, by pid.
 */
export async function tunnelMbits(node: LabNode, client: LabClient, serverIp: string, direction: Direction, seconds: number, logDir: string): Promise<number> {
  const pid = await startIperfServer(node.netns, serverIp, logDir);
  try {
    return (await measureBitsPerSecond((argv, o) => client.exec(argv, o), serverIp, seconds, direction === 'download')) / 1e6;
  } finally {
    await stopIperfServer(pid);
  }
}

export interface Transfer {
  /** When the client started sending (its iperf3 server already listening on the node). */
  startedAt: number;
  /** iperf3's result; never rejects: a block the traffic itself triggers may cut the transfer short. */
  done: Promise<RunResult>;
}

/** Starts sending `bytes` from the client to the node through the tunnel (iperf3 -n), as fast as the tunnel goes. */
export async function startTransfer(node: LabNode, client: LabClient, serverIp: string, bytes: number, logDir: string): Promise<Transfer> {
  const pid = await startIperfServer(node.netns, serverIp, logDir);
  const startedAt = Date.now();
  const done = client
    .exec(['iperf3', '-c', serverIp, '-p', String(IPERF_PORT), '-n', String(bytes), '--connect-timeout', '3000'], { timeoutMs: 10_000 })
    .finally(() => stopIperfServer(pid));
  return { startedAt, done };
}

/** One ping with a one-second wait: true when a reply came back through the tunnel. */
export async function answersPing(client: LabClient, host: string): Promise<boolean> {
  return (await client.ping(host, 1, 1)).code === 0;
}

/**
 * What a user does when its app shows the tunnel stuck: switch it off and on. `wg setconf` replaces the
 * peer, so the client's next packet starts a fresh handshake at once instead of after WireGuard's
 * ~15 s of unanswered traffic (the node forgot the old session when the peer left it).
 */
export async function redial(client: LabClient, ifname: string, config: string): Promise<void> {
  await mustRun(['ip', 'netns', 'exec', client.netns, 'wg', 'setconf', ifname, '/dev/stdin'], { input: toWgSetconf(parseClientConfig(config)) });
}

/** Pids of `unbound` processes in the node's network namespace (what the push started there). */
export async function unboundPidsOnNode(node: LabNode): Promise<number[]> {
  const listed = await run(['ip', 'netns', 'pids', node.netns]);
  const pids: number[] = [];
  for (const line of listed.stdout.split('\n')) {
    const pid = Number(line.trim());
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === 'unbound') pids.push(pid);
  }
  return pids;
}
