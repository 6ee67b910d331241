import { publicKeyFromPrivate } from '@wgfleet/wireguard';
import {
  HostKeyMismatchError,
  InterfaceMissingError,
  NodeCommandError,
  NodeDriver,
  NodeUnreachableError,
  type DesiredServerState,
  type InterfaceCounterSamples,
  type NodeTarget,
  type NodeToolOutput,
} from '../node-driver.js';
import { fakePingOutput, fakeSystemSnapshot, fakeTracerouteOutput } from './fake-node-tools.js';

/** What the fake node reports for one peer in `dump`. */
export interface FakePeerTraffic {
  rx: number;
  tx: number;
  /** Unix seconds, or null for never. */
  handshakeAt: number | null;
  endpoint: string | null;
}

export interface RecordedApply {
  target: NodeTarget;
  desired: DesiredServerState;
  startedAt: number;
  finishedAt: number | null;
}

export type FakeFailure = { kind: 'unreachable' | 'command' | 'host_key'; message: string } | null;

/**
 * A NodeDriver for tests: records every apply, can be slowed down or made to fail, and keeps the
 * "node" state (the last applied config per node and interface) so tests can simulate drift.
 * `overlaps` counts applies to the same interface that ran at the same time — which the
 * reconciler's locks must make impossible, even across two apps sharing this fake.
 */
export class FakeNodeDriver extends NodeDriver {
  readonly applies: RecordedApply[] = [];
  /** `<nodeId>/<interface>` → what the node holds. */
  readonly nodeState = new Map<string, DesiredServerState>();
  overlaps = 0;
  delayMs = 0;
  failure: FakeFailure = null;
  private readonly inFlight = new Map<string, number>();

  async apply(target: NodeTarget, desired: DesiredServerState): Promise<void> {
    const key = FakeNodeDriver.key(target.nodeId, desired.interfaceName);
    const running = this.inFlight.get(key) ?? 0;
    if (running > 0) this.overlaps += 1;
    this.inFlight.set(key, running + 1);
    const record: RecordedApply = { target, desired, startedAt: Date.now(), finishedAt: null };
    this.applies.push(record);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const failure = this.failure;
      if (failure?.kind === 'unreachable') throw new NodeUnreachableError(failure.message);
      if (failure?.kind === 'host_key') throw new HostKeyMismatchError(failure.message);
      if (failure?.kind === 'command') throw new NodeCommandError(failure.message);
      this.nodeState.set(key, desired);
    } finally {
      record.finishedAt = Date.now();
      this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
    }
  }

  /** Interfaces removed, as `<nodeId>/<interface>`, in order. */
  readonly removals: string[] = [];

  async remove(target: NodeTarget, interfaceName: string): Promise<void> {
    if (this.failure?.kind === 'unreachable') throw new NodeUnreachableError(this.failure.message);
    const key = FakeNodeDriver.key(target.nodeId, interfaceName);
    this.nodeState.delete(key);
    this.removals.push(key);
  }

  /** Per peer public key: the counters `dump` reports (peers not listed: no traffic, no handshake). */
  readonly traffic = new Map<string, FakePeerTraffic>();

  /** `wg show IF dump` of what the node holds, in wg's own tab-separated format. */
  async dump(target: NodeTarget, interfaceName: string): Promise<string> {
    if (this.failure?.kind === 'unreachable') throw new NodeUnreachableError(this.failure.message);
    const state = this.nodeState.get(FakeNodeDriver.key(target.nodeId, interfaceName));
    if (!state) throw new InterfaceMissingError(`interface ${interfaceName} does not exist`);
    const privateKey = /^PrivateKey = (\S+)$/m.exec(state.peersConfig)![1]!;
    const listenPort = /^ListenPort = (\d+)$/m.exec(state.peersConfig)![1]!;
    const lines = [[privateKey, publicKeyFromPrivate(privateKey), listenPort, 'off'].join('\t')];
    for (const section of state.peersConfig.split('[Peer]').slice(1)) {
      const publicKey = /^PublicKey = (\S+)$/m.exec(section)![1]!;
      const presharedKey = /^PresharedKey = (\S+)$/m.exec(section)?.[1] ?? '(none)';
      const allowedIps = /^AllowedIPs = (.+)$/m.exec(section)?.[1]?.replace(/ /g, '') ?? '(none)';
      const seen = this.traffic.get(publicKey);
      lines.push(
        [publicKey, presharedKey, seen?.endpoint ?? '(none)', allowedIps, seen?.handshakeAt ?? 0, seen?.rx ?? 0, seen?.tx ?? 0, 25].join('\t'),
      );
    }
    return `${lines.join('\n')}\n`;
  }

  /** `<nodeId>/<interface>` → the bytes the interface moves per second (none listed: 0). */
  readonly interfaceRates = new Map<string, { rxPerSecond: number; txPerSecond: number }>();

  /** Counters of an interface the node holds, moving by `interfaceRates` between the two reads (no real wait). */
  async interfaceCounters(target: NodeTarget, interfaceName: string): Promise<InterfaceCounterSamples | null> {
    if (this.failure?.kind === 'unreachable') throw new NodeUnreachableError(this.failure.message);
    const key = FakeNodeDriver.key(target.nodeId, interfaceName);
    if (!this.nodeState.has(key)) return null;
    const rate = this.interfaceRates.get(key) ?? { rxPerSecond: 0, txPerSecond: 0 };
    const first = { rxBytes: 1_000_000, txBytes: 2_000_000 };
    return { first, second: { rxBytes: first.rxBytes + rate.rxPerSecond, txBytes: first.txBytes + rate.txPerSecond } };
  }

  /** The diagnostics asked of the fake node, in order. */
  readonly toolCalls: Array<{ nodeId: number; tool: 'ping' | 'traceroute' | 'systemSnapshot'; address: string | null; count: number | null }> = [];
  /** Set to answer a diagnostic with other output than the fake node's defaults (fake-node-tools.ts). */
  toolOutputs: { ping?: NodeToolOutput; traceroute?: NodeToolOutput; systemSnapshot?: NodeToolOutput } = {};

  async ping(target: NodeTarget, address: string, count: number): Promise<NodeToolOutput> {
    this.toolCalls.push({ nodeId: target.nodeId, tool: 'ping', address, count });
    if (this.failure?.kind === 'unreachable') throw new NodeUnreachableError(this.failure.message);
    return this.toolOutputs.ping ?? fakePingOutput(address, count);
  }

  async traceroute(target: NodeTarget, address: string): Promise<NodeToolOutput> {
    this.toolCalls.push({ nodeId: target.nodeId, tool: 'traceroute', address, count: null });
    if (this.failure?.kind === 'unreachable') throw new NodeUnreachableError(this.failure.message);
    return this.toolOutputs.traceroute ?? fakeTracerouteOutput(address);
  }

  async systemSnapshot(target: NodeTarget): Promise<NodeToolOutput> {
    this.toolCalls.push({ nodeId: target.nodeId, tool: 'systemSnapshot', address: null, count: null });
    if (this.failure?.kind === 'unreachable') throw new NodeUnreachableError(this.failure.message);
    return this.toolOutputs.systemSnapshot ?? fakeSystemSnapshot();
  }

  async close(): Promise<void> {}

  /** The applies that went to one node (all interfaces). */
  appliesTo(nodeId: number): RecordedApply[] {
    return this.applies.filter((apply) => apply.target.nodeId === nodeId);
  }

  /** The public keys of the peers the node holds for that interface, from the last successful apply. */
  peerKeysOn(nodeId: number, interfaceName: string): string[] {
    const state = this.nodeState.get(FakeNodeDriver.key(nodeId, interfaceName));
    if (!state) return [];
    return [...state.peersConfig.matchAll(/^PublicKey = (\S+)$/gm)].map((match) => match[1]!);
  }

  /** Drift: someone edited the node by hand. */
  tamper(nodeId: number, interfaceName: string, change: (state: DesiredServerState) => DesiredServerState): void {
    const key = FakeNodeDriver.key(nodeId, interfaceName);
    const state = this.nodeState.get(key);
    if (state) this.nodeState.set(key, change(state));
  }

  static key(nodeId: number, interfaceName: string): string {
    return `${nodeId}/${interfaceName}`;
  }
}
