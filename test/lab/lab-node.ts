import type { TrackedPid } from './processes.js';
import { run, type RunOptions, type RunResult } from './run.js';

export interface LabNodeInit {
  name: string;
  netns: string;
  number: number;
  sshHost: string;
  privateKey: string;
  hostKey: string;
  publicIp: string;
  clientLinkIp: string;
  sshd: TrackedPid;
}

/** A WireGuard node: what the control plane reaches over SSH, as a real machine would be. */
export class LabNode {
  readonly name: string;
  readonly netns: string;
  readonly number: number;
  readonly sshHost: string;
  readonly sshPort = 22;
  readonly username = 'root';
  readonly privateKey: string;
  /** `ssh-ed25519 AAAA…`, to pin. */
  readonly hostKey: string;
  /** The node's address toward the internet namespace. */
  readonly publicIp: string;
  /** The node's address on its clients' link: their WireGuard endpoint. */
  readonly clientLinkIp: string;
  readonly sshdPid: number;

  constructor(init: LabNodeInit) {
    this.name = init.name;
    this.netns = init.netns;
    this.number = init.number;
    this.sshHost = init.sshHost;
    this.privateKey = init.privateKey;
    this.hostKey = init.hostKey;
    this.publicIp = init.publicIp;
    this.clientLinkIp = init.clientLinkIp;
    this.sshdPid = init.sshd.pid;
  }

  /**
   * Runs argv in the node's network namespace *and* sshd's mount namespace, so it sees the same
   * private /run/wireguard as commands that arrive over SSH.
   */
  exec(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    return run(['nsenter', '-t', String(this.sshdPid), '-m', '-n', '--', ...argv], options);
  }
}
