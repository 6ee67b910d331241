import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeNodeNumbers, nodePlan, snapshotMachineRoutes } from './address-plan.js';
import { hostProcess } from './host-process.js';
import { LabClient } from './lab-client.js';
import { LabNode } from './lab-node.js';
import { LabResources } from './resources.js';
import { run, type RunOptions, type RunResult } from './run.js';
import { ensureRootDirs, startNodeSshd } from './sshd.js';
import { startTcpEcho, tcpConnect } from './tcp-helpers.js';
import { addNamespace, configureNodeInside, linkClientToNode, linkNodeToInternet, linkNodeToRoot } from './topology.js';

export { ECHO_BANNER } from './tcp-helpers.js';
export type { LabClient } from './lab-client.js';
export type { LabNode } from './lab-node.js';

export interface LabOptions {
  nodes: 1 | 2;
  clientsPerNode?: number;
  internet?: boolean;
}

export interface LabInternet {
  netns: string;
  exec(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Real WireGuard nodes on this machine: each node is a network namespace running sshd (the control
 * plane's reach) with a private /run/wireguard, client namespaces behind it, and an "internet"
 * namespace facing its public address. Every name carries a per-run id, so parallel or leftover
 * labs never collide, and destroy() removes exactly what this lab created.
 */
export class Lab {
  readonly id: string;
  readonly nodes: LabNode[] = [];
  /** clients[i] are the clients of nodes[i]. */
  readonly clients: LabClient[][] = [];
  internet: LabInternet | null = null;
  private readonly resources: LabResources;
  private destroying: Promise<void> | null = null;
  private readonly onExit = () => this.resources.teardownSync();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.resources.teardownSync();
    this.removeExitHandlers();
    hostProcess.kill(hostProcess.pid, signal);
  };

  private constructor(id: string, resources: LabResources) {
    this.id = id;
    this.resources = resources;
    hostProcess.once('exit', this.onExit);
    for (const s of SIGNALS) hostProcess.once(s, this.onSignal);
  }

  static async create(options: LabOptions): Promise<Lab> {
    const id = randomBytes(4).readUInt32BE().toString(36).padStart(7, '0').slice(-5);
    const lab = new Lab(id, new LabResources(await mkdtemp(join(tmpdir(), `wgl${id}-`))));
    try {
      await lab.build(options);
      return lab;
    } catch (error) {
      await lab.destroy().catch(() => undefined);
      throw error;
    }
  }

  private async build(options: LabOptions): Promise<void> {
    const clientsPerNode = options.clientsPerNode ?? 1;
    if (!Number.isInteger(clientsPerNode) || clientsPerNode < 0 || clientsPerNode > 9) throw new Error('lab: clientsPerNode must be 0–9');
    const routes = await snapshotMachineRoutes();
    await ensureRootDirs();
    const prefix = `wgl${this.id}`;
    const internetNs = `${prefix}-inet`;
    if (options.internet === true) {
      await addNamespace(this.resources, internetNs);
      this.internet = { netns: internetNs, exec: (argv, o) => run(['ip', 'netns', 'exec', internetNs, ...argv], o) };
    }
    const numbers = await freeNodeNumbers(options.nodes);
    for (const [i, n] of numbers.entries()) {
      const index = i + 1;
      const netns = `${prefix}-n${index}`;
      const plan = nodePlan(n);
      await addNamespace(this.resources, netns);
      await linkNodeToRoot(this.resources, n, netns, `${prefix}r${index}`, (when) => routes.check(when));
      await configureNodeInside(n, netns);
      if (options.internet === true) await linkNodeToInternet(n, index, netns, internetNs);

      const clients: LabClient[] = [];
      for (let k = 1; k <= clientsPerNode; k++) {
        const clientNs = `${prefix}-n${index}c${k}`;
        await addNamespace(this.resources, clientNs);
        const ip = await linkClientToNode(n, k, netns, clientNs);
        clients.push(
          new LabClient({
            name: `n${index}c${k}`,
            netns: clientNs,
            ip,
            gateway: plan.clientLinkIp,
            // Client namespaces share the machine's /run/wireguard, so the name must be unique per lab.
            defaultIfname: `wgc${this.id}${index}${k}`,
            tmpDir: this.resources.tmpDir,
            onProcess: (pid) => this.resources.addPid(pid),
            onInterface: (ifname) => this.resources.uapiSockets.push(`/run/wireguard/${ifname}.sock`),
          }),
        );
      }
      this.clients.push(clients);

      const sshd = await startNodeSshd(netns, join(this.resources.tmpDir, `n${index}`), plan.sshHost, (pid) => this.resources.addPid(pid));
      this.nodes.push(
        new LabNode({
          name: `n${index}`,
          netns,
          number: n,
          sshHost: plan.sshHost,
          privateKey: sshd.privateKey,
          hostKey: sshd.hostKey,
          publicIp: plan.publicIp,
          clientLinkIp: plan.clientLinkIp,
          sshd: sshd.pid,
        }),
      );
    }
    await routes.check('after the lab came up');
  }

  /** Starts a TCP server in one of this lab's namespaces; destroy() stops it. */
  async startTcpEcho(netns: string, port: number): Promise<number> {
    this.assertOwnNamespace(netns);
    const server = await startTcpEcho(netns, port);
    this.resources.addPid(server);
    return server.pid;
  }

  tcpConnect(netns: string, host: string, port: number): Promise<string> {
    this.assertOwnNamespace(netns);
    return tcpConnect(netns, host, port);
  }

  /** Idempotent; safe to call from afterAll after a test already destroyed the lab. */
  destroy(): Promise<void> {
    this.destroying ??= (async () => {
      try {
        const problems = await this.resources.teardown();
        if (problems.length > 0) throw new Error(`lab ${this.id} teardown: ${problems.join('; ')}`);
      } finally {
        this.removeExitHandlers();
      }
    })();
    return this.destroying;
  }

  /** Whatever of this lab is still on the machine: namespaces, root links, live pids, sockets, temp dir. */
  leftovers(): Promise<string[]> {
    return this.resources.leftovers();
  }

  private assertOwnNamespace(netns: string): void {
    if (!this.resources.namespaces.includes(netns)) throw new Error(`lab: ${netns} is not a namespace of lab ${this.id}`);
  }

  private removeExitHandlers(): void {
    hostProcess.removeListener('exit', this.onExit);
    for (const s of SIGNALS) hostProcess.removeListener(s, this.onSignal);
  }
}
