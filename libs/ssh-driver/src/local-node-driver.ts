import { spawn } from 'node:child_process';
import {
  InterfaceMissingError,
  NodeCommandError,
  NodeDriver,
  type DesiredServerState,
  type InterfaceCounterSamples,
  type NodeTarget,
  type NodeToolOutput,
} from '@wgfleet/node-sync';
import {
  APPLY_SCRIPT,
  commandFailureMessage,
  COUNTERS_SCRIPT,
  DUMP_SCRIPT,
  encodeApplyBundle,
  encodeRemoveBundle,
  INTERFACE_MISSING_EXIT,
  localArgv,
  parseCounterSamples,
  REMOVE_SCRIPT,
} from './push-script.js';
import { pingCommand, systemSnapshotCommand, toolArgv, tracerouteCommand, toolWaitMs, type NodeToolCommand } from './node-tools-script.js';

export interface LocalNodeDriverOptions {
  /** Per command; the child is killed after it. Default 30 s. */
  commandTimeoutMs?: number;
  /**
   * FOR TESTS ONLY: an argv run in front of every command, e.g. `['nsenter', '-t', PID, '-m', '-n', '--']`
   * to act inside a lab node's namespaces instead of on this machine. A constant from code, never input.
   */
  commandPrefix?: readonly string[];
  maxStdoutBytes?: number;
}

interface LocalResult {
  code: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: string;
}

const MAX_STDERR_CHARS = 8 * 1024;

/**
 * NodeDriver for the `local` node (this machine): the same constant scripts as over SSH, run as child
 * processes with argv arrays. No shell ever parses anything but the constant script text; the interface
 * name is `$1`. The bundle goes on stdin, which the script copies to private files (so `wg` never opens
 * /dev/stdin, which fails with ENXIO on the socketpair Node gives a child).
 */
export class LocalNodeDriver extends NodeDriver {
  private readonly commandTimeoutMs: number;
  private readonly prefix: readonly string[];
  private readonly maxStdoutBytes: number;

  constructor(options: LocalNodeDriverOptions = {}) {
    super();
    this.commandTimeoutMs = options.commandTimeoutMs ?? 30_000;
    if (!Number.isInteger(this.commandTimeoutMs) || this.commandTimeoutMs < 1_000) throw new Error('LocalNodeDriver: commandTimeoutMs must be at least 1000');
    this.prefix = Object.freeze([...(options.commandPrefix ?? [])]);
    this.maxStdoutBytes = options.maxStdoutBytes ?? 64 * 1024 * 1024;
  }

  async apply(target: NodeTarget, desired: DesiredServerState): Promise<void> {
    const result = await this.run(APPLY_SCRIPT, desired.interfaceName, encodeApplyBundle(desired));
    if (result.code !== 0) {
      throw new NodeCommandError(commandFailureMessage(target.name, `apply ${desired.interfaceName}`, result.code, result.signal, result.stderr));
    }
  }

  async remove(target: NodeTarget, interfaceName: string): Promise<void> {
    const result = await this.run(REMOVE_SCRIPT, interfaceName, encodeRemoveBundle(interfaceName));
    if (result.code !== 0) {
      throw new NodeCommandError(commandFailureMessage(target.name, `remove ${interfaceName}`, result.code, result.signal, result.stderr));
    }
  }

  async dump(target: NodeTarget, interfaceName: string): Promise<string> {
    const result = await this.run(DUMP_SCRIPT, interfaceName, Buffer.alloc(0));
    if (result.code === INTERFACE_MISSING_EXIT) throw new InterfaceMissingError(`node ${target.name}: interface ${interfaceName} does not exist`);
    if (result.code !== 0) {
      throw new NodeCommandError(commandFailureMessage(target.name, `wg show ${interfaceName} dump`, result.code, result.signal, result.stderr));
    }
    return result.stdout.toString('utf8');
  }

  async interfaceCounters(target: NodeTarget, interfaceName: string): Promise<InterfaceCounterSamples | null> {
    const result = await this.run(COUNTERS_SCRIPT, interfaceName, Buffer.alloc(0));
    if (result.code === INTERFACE_MISSING_EXIT) return null;
    const samples = result.code === 0 ? parseCounterSamples(result.stdout.toString('utf8')) : null;
    if (samples === null || typeof samples === 'string') {
      throw new NodeCommandError(commandFailureMessage(target.name, `counters of ${interfaceName}`, result.code, result.signal, samples ?? result.stderr));
    }
    return samples;
  }

  async ping(_target: NodeTarget, address: string, count: number): Promise<NodeToolOutput> {
    return this.runTool(pingCommand(address, count));
  }

  async traceroute(_target: NodeTarget, address: string): Promise<NodeToolOutput> {
    return this.runTool(tracerouteCommand(address));
  }

  async systemSnapshot(_target: NodeTarget): Promise<NodeToolOutput> {
    return this.runTool(systemSnapshotCommand());
  }

  async close(): Promise<void> {
    // Nothing pooled.
  }

  private run(script: string, interfaceName: string, stdin: Buffer): Promise<LocalResult> {
    const argv = localArgv(script, interfaceName, Math.max(1, Math.floor(this.commandTimeoutMs / 1000) - 1));
    return this.spawnArgv(argv, stdin, this.commandTimeoutMs);
  }

  private async runTool(command: NodeToolCommand): Promise<NodeToolOutput> {
    const result = await this.spawnArgv(toolArgv(command), command.stdin, toolWaitMs(command));
    return { exitCode: result.code, stdout: result.stdout.toString('utf8'), stderr: result.stderr };
  }

  /** `argv` (after the test prefix) as a child process without a shell, killed after `timeoutMs`. */
  private spawnArgv(argv: readonly string[], stdin: Buffer, timeoutMs: number): Promise<LocalResult> {
    const [file, ...args] = [...this.prefix, ...argv];
    return new Promise((resolve) => {
      const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
      const stdout: Buffer[] = [];
      let stdoutBytes = 0;
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        stdoutBytes += chunk.length;
        if (stdoutBytes <= this.maxStdoutBytes) stdout.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-MAX_STDERR_CHARS);
      });
      // EPIPE when the script exits before reading everything: its exit status tells the story.
      child.stdin.on('error', () => undefined);
      child.once('error', (error) => {
        clearTimeout(timer);
        resolve({ code: null, signal: null, stdout: Buffer.alloc(0), stderr: `cannot start ${file}: ${error.message}` });
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut) return resolve({ code: 124, signal: null, stdout: Buffer.alloc(0), stderr: `killed after ${timeoutMs} ms` });
        if (stdoutBytes > this.maxStdoutBytes) return resolve({ code: null, signal: null, stdout: Buffer.alloc(0), stderr: `printed more than ${this.maxStdoutBytes} bytes` });
        resolve({ code, signal, stdout: Buffer.concat(stdout), stderr });
      });
      child.stdin.end(stdin);
    });
  }
}
