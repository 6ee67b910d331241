import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LabNode } from './lab-node.js';
import { isAlive, terminate, track, type TrackedPid } from './processes.js';
import { run, type RunOptions, type RunResult } from './run.js';
import { tcpAccepts } from './sshd.js';

/**
 * Stops and restarts one lab node's sshd (the control plane's only way in), keeping everything else
 * of the node: the same network namespace, the same private mount namespace (its /run/wireguard with
 * wireguard-go's UAPI socket, its /etc/wireguard), the same sshd_config, host key and authorized key.
 *
 * A `sleep` "holder" process is parked in sshd's mount+network namespaces first, so the mount
 * namespace outlives the sshd that created it; the restarted sshd and every exec() enter it through
 * the holder. Everything here is tracked by pid + start time and stopped by close(), by pid only.
 */
export class SshdControl {
  private holder: TrackedPid | null = null;
  private sshd: TrackedPid;
  private readonly started: TrackedPid[] = [];
  private readonly configFile: string;

  constructor(private readonly node: LabNode) {
    const tracked = track(node.sshdPid, `sshd ${node.netns}`);
    if (tracked === null) throw new Error(`sshd-control: sshd pid ${node.sshdPid} of ${node.netns} is gone`);
    this.sshd = tracked;
    // sshd rewrites its argv into a process title ("sshd: /usr/sbin/sshd -D -e -f FILE [listener] ..."); the path has no spaces.
    const title = readFileSync(`/proc/${node.sshdPid}/cmdline`, 'utf8').split('\0').join(' ');
    const configFile = /-f (\/\S+\/sshd_config)(?:\s|$)/.exec(title)?.[1];
    if (configFile === undefined) throw new Error(`sshd-control: no sshd_config in ${title}`);
    this.configFile = configFile;
  }

  /** The pid whose mount+network namespaces are the node's (the holder once there is one). */
  private get anchorPid(): number {
    return this.holder?.pid ?? this.sshd.pid;
  }

  get running(): boolean {
    return isAlive(this.sshd);
  }

  /** Like LabNode.exec, but keeps working across stop()/start(). */
  exec(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    return run(['nsenter', '-t', String(this.anchorPid), '-m', '-n', '--', ...argv], options);
  }

  private spawnTracked(argv: string[], label: string): TrackedPid {
    // Not detached: setsid, nsenter (no -p) and exec all replace themselves, so the pid is the program's.
    const child = spawn('setsid', argv, { stdio: ['ignore', 'ignore', 'ignore'] });
    child.unref();
    const tracked = child.pid === undefined ? null : track(child.pid, label);
    if (tracked === null) throw new Error(`sshd-control: ${label} did not start`);
    this.started.push(tracked);
    return tracked;
  }

  private async ensureHolder(): Promise<void> {
    if (this.holder !== null && isAlive(this.holder)) return;
    this.holder = this.spawnTracked(['nsenter', '-t', String(this.sshd.pid), '-m', '-n', '--', 'sleep', '86400'], `ns holder ${this.node.netns}`);
    // Wait until the holder has entered the namespaces (its mnt ns link equals sshd's).
    const want = readMntNs(this.sshd.pid);
    for (let i = 0; i < 100; i++) {
      if (readMntNs(this.holder.pid) === want && readExe(this.holder.pid).endsWith('/sleep')) return;
      await sleep(20);
    }
    throw new Error('sshd-control: the namespace holder did not enter sshd namespaces');
  }

  /** Stops sshd and every session it spawned (so pooled SSH connections drop too). */
  async stop(): Promise<void> {
    await this.ensureHolder();
    const tree = [this.sshd, ...descendants(this.sshd.pid)];
    const left = await terminate(tree, 1_000);
    if (left.length > 0) throw new Error(`sshd-control: ${left.map((p) => p.pid).join(',')} survived`);
    if (await tcpAccepts(this.node.sshHost, this.node.sshPort)) throw new Error('sshd-control: port 22 still accepts after stop');
  }

  /** Starts sshd again with the same config (same host key) in the same namespaces. */
  async start(): Promise<void> {
    if (this.running) return;
    if (this.holder === null || !isAlive(this.holder)) throw new Error('sshd-control: the namespace holder is gone');
    const logFile = this.configFile.replace(/sshd_config$/, 'sshd.log');
    const log = openSync(logFile, 'a');
    let child;
    try {
      child = spawn('setsid', ['nsenter', '-t', String(this.holder.pid), '-m', '-n', '--', '/usr/sbin/sshd', '-D', '-e', '-f', this.configFile], {
        stdio: ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
    child.unref();
    const tracked = child.pid === undefined ? null : track(child.pid, `sshd (restarted) ${this.node.netns}`);
    if (tracked === null) throw new Error('sshd-control: sshd did not restart');
    this.started.push(tracked);
    this.sshd = tracked;
    for (let i = 0; i < 200; i++) {
      if (await tcpAccepts(this.node.sshHost, this.node.sshPort)) return;
      if (!isAlive(tracked)) throw new Error(`sshd-control: restarted sshd exited: ${readFileSync(logFile, 'utf8').slice(-500)}`);
      await sleep(25);
    }
    throw new Error('sshd-control: restarted sshd not listening');
  }

  /** Stops what this helper started (restarted sshd, its sessions, the holder), by pid. */
  async close(): Promise<string[]> {
    const mine = this.started.flatMap((p) => (isAlive(p) ? [...descendants(p.pid), p] : []));
    const left = await terminate(mine, 1_000);
    return left.map((p) => `pid ${p.pid} (${p.label}) survived`);
  }
}

function readMntNs(pid: number): string | null {
  return readlinkSafe(`/proc/${pid}/ns/mnt`);
}

function readExe(pid: number): string {
  return readlinkSafe(`/proc/${pid}/exe`) ?? '';
}

function readlinkSafe(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

/** All live descendants of pid (by /proc ppid), tracked with their start times. */
function descendants(root: number): TrackedPid[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // Exited while listing.
    }
  }
  const out: TrackedPid[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const t = track(pid, `child of ${root}`);
    if (t !== null) out.push(t);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}
