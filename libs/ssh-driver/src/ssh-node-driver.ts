import { createHash } from 'node:crypto';
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
} from '@wgfleet/node-sync';
import {
  APPLY_SCRIPT,
  checkInterfaceName,
  commandFailureMessage,
  COUNTERS_SCRIPT,
  DUMP_SCRIPT,
  encodeApplyBundle,
  encodeRemoveBundle,
  INTERFACE_MISSING_EXIT,
  parseCounterSamples,
  remoteCommand,
  REMOVE_SCRIPT,
} from './push-script.js';
import { pingCommand, systemSnapshotCommand, toolRemoteCommand, toolWaitMs, tracerouteCommand, type NodeToolCommand } from './node-tools-script.js';
import { SshConnection, type SshConnectionOptions } from './ssh-connection.js';

export interface SshNodeDriverOptions {
  /** TCP connect + handshake + auth. Default 10 s. */
  connectTimeoutMs?: number;
  /** Per command, enforced here (channel closed) and on the node (`timeout`). Default 30 s. */
  commandTimeoutMs?: number;
  /** Default 15 s × 3. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Channels in flight per connection. Default 8, below sshd's MaxSessions 10. */
  maxChannelsPerConnection?: number;
  /** Backoff after failed connects: 1 s doubling up to 60 s by default. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  maxStdoutBytes?: number;
  now?: () => number;
}

/** NodeDriver over SSH: one pooled ssh2 connection per node, one round trip per apply, data on stdin. */
export class SshNodeDriver extends NodeDriver {
  private readonly pool = new Map<string, SshConnection>();
  /** nodeId → pool key, so new connection details for a node retire the old connection. */
  private readonly keyOfNode = new Map<number, string>();
  private readonly connectionOptions: SshConnectionOptions;
  private readonly commandTimeoutMs: number;

  constructor(options: SshNodeDriverOptions = {}) {
    super();
    this.commandTimeoutMs = options.commandTimeoutMs ?? 30_000;
    if (!Number.isInteger(this.commandTimeoutMs) || this.commandTimeoutMs < 1_000) throw new Error('SshNodeDriver: commandTimeoutMs must be at least 1000');
    this.connectionOptions = {
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: options.keepaliveCountMax ?? 3,
      maxChannels: options.maxChannelsPerConnection ?? 8,
      backoffInitialMs: options.backoffInitialMs ?? 1_000,
      backoffMaxMs: options.backoffMaxMs ?? 60_000,
      maxStdoutBytes: options.maxStdoutBytes ?? 64 * 1024 * 1024,
      now: options.now ?? Date.now,
    };
  }

  async apply(target: NodeTarget, desired: DesiredServerState): Promise<void> {
    const bundle = encodeApplyBundle(desired);
    const result = await this.run(target, APPLY_SCRIPT, desired.interfaceName, bundle);
    if (result.code !== 0) {
      throw new NodeCommandError(commandFailureMessage(target.name, `apply ${desired.interfaceName}`, result.code, result.signal, result.stderr));
    }
  }

  async remove(target: NodeTarget, interfaceName: string): Promise<void> {
    const result = await this.run(target, REMOVE_SCRIPT, interfaceName, encodeRemoveBundle(interfaceName));
    if (result.code !== 0) {
      throw new NodeCommandError(commandFailureMessage(target.name, `remove ${interfaceName}`, result.code, result.signal, result.stderr));
    }
  }

  async dump(target: NodeTarget, interfaceName: string): Promise<string> {
    const result = await this.run(target, DUMP_SCRIPT, interfaceName, Buffer.alloc(0));
    if (result.code === INTERFACE_MISSING_EXIT) throw new InterfaceMissingError(`node ${target.name}: interface ${interfaceName} does not exist`);
    if (result.code !== 0) {
      throw new NodeCommandError(commandFailureMessage(target.name, `wg show ${interfaceName} dump`, result.code, result.signal, result.stderr));
    }
    return result.stdout.toString('utf8');
  }

  async interfaceCounters(target: NodeTarget, interfaceName: string): Promise<InterfaceCounterSamples | null> {
    const result = await this.run(target, COUNTERS_SCRIPT, interfaceName, Buffer.alloc(0));
    if (result.code === INTERFACE_MISSING_EXIT) return null;
    const samples = result.code === 0 ? parseCounterSamples(result.stdout.toString('utf8')) : null;
    if (samples === null || typeof samples === 'string') {
      throw new NodeCommandError(commandFailureMessage(target.name, `counters of ${interfaceName}`, result.code, result.signal, samples ?? result.stderr));
    }
    return samples;
  }

  ping(target: NodeTarget, address: string, count: number): Promise<NodeToolOutput> {
    return this.runTool(target, () => pingCommand(address, count));
  }

  traceroute(target: NodeTarget, address: string): Promise<NodeToolOutput> {
    return this.runTool(target, () => tracerouteCommand(address));
  }

  systemSnapshot(target: NodeTarget): Promise<NodeToolOutput> {
    return this.runTool(target, systemSnapshotCommand);
  }

  async close(): Promise<void> {
    for (const connection of this.pool.values()) connection.close();
    this.pool.clear();
    this.keyOfNode.clear();
  }

  private run(target: NodeTarget, script: string, interfaceName: string, stdin: Buffer) {
    checkInterfaceName(interfaceName);
    // The node's own `timeout` fires a little before ours, so a slow command usually ends with its exit
    // status (124) rather than a closed channel.
    const remoteSeconds = Math.max(1, Math.floor(this.commandTimeoutMs / 1000) - 1);
    const command = remoteCommand(script, interfaceName, remoteSeconds);
    return this.connection(target).exec(command, stdin, this.commandTimeoutMs);
  }

  /** A diagnostic: its own time bound, any exit status returned as data (ping exits 1 when nothing answers). */
  private async runTool(target: NodeTarget, build: () => NodeToolCommand): Promise<NodeToolOutput> {
    const command = build();
    const result = await this.connection(target).exec(toolRemoteCommand(command), command.stdin, toolWaitMs(command));
    return { exitCode: result.code, stdout: result.stdout.toString('utf8'), stderr: result.stderr };
  }

  private connection(target: NodeTarget): SshConnection {
    if (target.transport !== 'ssh' || target.ssh === null) {
      throw new NodeUnreachableError(`node ${target.name}: not an SSH node (use the local driver)`);
    }
    const { host, port, username, privateKey, hostKey } = target.ssh;
    // Key material only as a digest, so the pool's keys never hold secrets.
    const secrets = createHash('sha256').update(privateKey).update('\0').update(hostKey).digest('base64url');
    const key = `${target.nodeId}|${host}|${port}|${username}|${secrets}`;
    let connection = this.pool.get(key);
    if (connection === undefined) {
      const previous = this.keyOfNode.get(target.nodeId);
      if (previous !== undefined) {
        this.pool.get(previous)?.close();
        this.pool.delete(previous);
      }
      try {
        connection = new SshConnection({ nodeName: target.name, host, port, username, privateKey, hostKey }, this.connectionOptions);
      } catch (error) {
        // An unusable pin stops pushes exactly like a wrong one: an admin must fix the node record.
        throw new HostKeyMismatchError(`node ${target.name}: ${(error as Error).message}`);
      }
      this.pool.set(key, connection);
      this.keyOfNode.set(target.nodeId, key);
    }
    return connection;
  }
}
