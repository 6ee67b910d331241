/**
 * The port through which the control plane touches WireGuard nodes (DESIGN.md, principle 5).
 * The reconciler and the poller depend on this; `@wgfleet/ssh-driver` implements it over SSH and
 * as local child processes. Tests of our services use a fake; the lab uses the real drivers.
 */

/** How to reach a node. Secrets are already opened (the driver never sees the database). */
export interface NodeTarget {
  nodeId: number;
  /** For messages and logs only. */
  name: string;
  transport: 'ssh' | 'local';
  ssh: {
    host: string;
    port: number;
    username: string;
    /** OpenSSH or PEM private key text. */
    privateKey: string;
    /** The pinned host key line, `ssh-ed25519 AAAA…`: any other key stops the connection. */
    hostKey: string;
  } | null;
}

/** Everything one server (one WireGuard interface) must be on its node, rendered by the pure core. */
export interface DesiredServerState {
  /** Checked with the core's isValidInterfaceName before it goes near a command. */
  interfaceName: string;
  /** The server's own tunnel addresses with their prefix: `10.8.0.1/24`, `fd42:66:1::1/64`. */
  addresses: string[];
  mtu: number | null;
  /** The tunnel subnets, masqueraded out of the node and allowed to be forwarded. */
  tunnelSubnets: string[];
  /** `renderServerPeers` output: [Interface] PrivateKey/ListenPort and every [Peer], for `wg syncconf IF /dev/stdin`. */
  peersConfig: string;
  /** `renderPortForwardRules` output, for `iptables-restore --noflush` (wgfleet's chains, rebuilt whole). */
  forwardRules: string;
  /**
   * Per-user bandwidth limits: `renderShapingBatch` output for `tc -batch` and the ifb device it
   * redirects upload to (`ifbDeviceName`). Always present: with no limited user the batch only
   * clears the interface's qdiscs, which is how a removed limit leaves the node.
   */
  shaping: { ifbName: string; batch: string };
  /**
   * `renderDnsForwarderConfig` output when the server resolves over TLS: the node runs one unbound
   * with it for this interface. Null: no resolver for this server (a running one is stopped).
   */
  dnsForwarderConfig: string | null;
}

/** The node could not be reached or did not answer in time (retry later). */
export class NodeUnreachableError extends Error {
  override readonly name = 'NodeUnreachableError';
}

/** The node presented another host key than the pinned one: nothing is pushed until an admin fixes it. */
export class HostKeyMismatchError extends Error {
  override readonly name = 'HostKeyMismatchError';
}

/** A command ran and failed; `message` is safe to store and show (no key material, no user text). */
export class NodeCommandError extends Error {
  override readonly name = 'NodeCommandError';
}

/** The interface does not exist on the node (yet): the poller reports it as `down`. */
export class InterfaceMissingError extends Error {
  override readonly name = 'InterfaceMissingError';
}

/** An interface's byte counters read twice on the node, one second apart (`/sys/class/net/IF/statistics`). */
export interface InterfaceCounterSamples {
  first: { rxBytes: number; txBytes: number };
  second: { rxBytes: number; txBytes: number };
}

/** What a diagnostic command printed on the node and how it ended: a non-zero exit is data here (ping exits 1 when nothing answers). */
export interface NodeToolOutput {
  exitCode: number | null;
  stdout: string;
  /** The tail of stderr, for messages; never holds key material (these commands see none). */
  stderr: string;
}

export abstract class NodeDriver {
  /**
   * Makes the node hold exactly `desired` for that interface, in one round trip: creates the
   * interface if missing (kernel WireGuard, else wireguard-go) with its addresses and MTU and
   * brings it up; converges the peers (`wg syncconf`); persists the interface file (0600) so a
   * reboot without the control plane keeps the peers; rebuilds wgfleet's iptables chains and
   * the NAT/forwarding of the tunnel subnets; makes the shaping ifb exist and runs the shaping
   * batch when it changed or tc no longer shows what it left; starts, restarts (changed config) or
   * stops the server's unbound. Idempotent: applying twice changes nothing (queues are not reset).
   */
  abstract apply(target: NodeTarget, desired: DesiredServerState): Promise<void>;

  /**
   * Takes a deleted server's interface off the node: wgfleet's iptables chains and jumps for it,
   * its resolver, its ifb and shaping state, the interface, its persisted file. Idempotent:
   * removing what is not there succeeds.
   */
  abstract remove(target: NodeTarget, interfaceName: string): Promise<void>;

  /** `wg show IF dump` output (line 1 holds the private key: never log it). */
  abstract dump(target: NodeTarget, interfaceName: string): Promise<string>;

  /**
   * The interface's rx/tx byte counters, read twice one second apart in one round trip (a live
   * rate, as WGDashboard's realtime traffic). Null when the interface does not exist on the node.
   */
  abstract interfaceCounters(target: NodeTarget, interfaceName: string): Promise<InterfaceCounterSamples | null>;

  /**
   * Diagnostics run ON the node (WGDashboard's ping, traceroute and systemStatus), each one round trip
   * with a bounded time. `address` must be a `probeTarget()` and `count` pass `isValidProbeCount()`:
   * they travel on stdin, never on a command line. Unreachable nodes throw as for `dump`.
   */
  abstract ping(target: NodeTarget, address: string, count: number): Promise<NodeToolOutput>;
  abstract traceroute(target: NodeTarget, address: string): Promise<NodeToolOutput>;
  /** `/proc/stat` twice 0.5 s apart, meminfo, net/dev, filesystems, df and ps, as `@@wgfleet <section>` blocks. */
  abstract systemSnapshot(target: NodeTarget): Promise<NodeToolOutput>;

  /** Closes pooled connections. */
  abstract close(): Promise<void>;
}
