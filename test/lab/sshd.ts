import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { NODE_RUNTIME_DIRECTORY } from '@wgfleet/wireguard';
import { setTimeout as sleep } from 'node:timers/promises';
import { mustRun } from './run.js';
import { isAlive, track, type TrackedPid } from './processes.js';

export interface NodeSshd {
  pid: TrackedPid;
  privateKey: string;
  hostKey: string;
  logFile: string;
}

// Every command that reaches the node over SSH runs in this mount namespace, so the node gets its own
// /run/wireguard (UAPI sockets), /etc/wireguard and /run/wgfleet (the push's runtime files: shaping
// state, resolver configs and pids): two nodes can both have a wg0. The script is a
// constant; its only input is the absolute config path, passed as $1 and never spliced into the text.
// A managed node gives the control plane a minimal shell: this machine's root ~/.bashrc (pyenv init)
// would add ~90 ms to every exec, so the node sees an empty one (in its own mount namespace only).
const NODE_SSHD_SCRIPT =
  'mount -t tmpfs none /run/wireguard; mount -t tmpfs none /etc/wireguard; mount -t tmpfs none /run/wgfleet; ' +
  'if [ -f /root/.bashrc ]; then mount --bind /dev/null /root/.bashrc; fi; ' +
  'exec /usr/sbin/sshd -D -e -f "$1"';

/** sshd refuses to start without its privilege-separation dir; the tmpfs mounts need their mountpoints. */
export async function ensureRootDirs(): Promise<void> {
  for (const dir of ['/run/sshd', '/run/wireguard', '/etc/wireguard', NODE_RUNTIME_DIRECTORY]) await mkdir(dir, { recursive: true, mode: 0o755 });
}

async function keygen(file: string): Promise<void> {
  await mustRun(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'wgfleet-lab', '-f', file]);
}

function sshdConfig(dir: string, listenAddress: string): string {
  return [
    `ListenAddress ${listenAddress}`,
    'Port 22',
    `HostKey ${join(dir, 'ssh_host_ed25519_key')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // The keys live under os.tmpdir(), whose sticky world-writable parent StrictModes rejects.
    'StrictModes no',
    // Default 10: the 11th concurrent channel on one connection fails at once.
    'MaxSessions 100',
    'PrintMotd no',
    '',
  ].join('\n');
}

export async function startNodeSshd(
  netns: string,
  dir: string,
  listenAddress: string,
  onProcess: (pid: TrackedPid) => void,
): Promise<NodeSshd> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const hostKeyFile = join(dir, 'ssh_host_ed25519_key');
  const clientKeyFile = join(dir, 'client_ed25519');
  await Promise.all([keygen(hostKeyFile), keygen(clientKeyFile)]);
  await writeFile(join(dir, 'authorized_keys'), await readFile(`${clientKeyFile}.pub`), { mode: 0o600 });
  // sshd re-execs itself after chdir /: a relative -f path resets every connection.
  const configFile = join(dir, 'sshd_config');
  await writeFile(configFile, sshdConfig(dir, listenAddress), { mode: 0o600 });

  const logFile = join(dir, 'sshd.log');
  const log = openSync(logFile, 'a');
  // Not `detached`: the child must not already lead a process group, or setsid(1) forks and the pid we
  // record would be a parent that exits at once. setsid, ip netns exec, unshare and sh all exec in place,
  // so the spawned pid ends up being sshd itself.
  const child = spawn(
    'setsid',
    ['ip', 'netns', 'exec', netns, 'unshare', '-m', '--propagation', 'private', 'sh', '-c', NODE_SSHD_SCRIPT, 'sh', configFile],
    { stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.unref();
  const tracked = child.pid === undefined ? null : track(child.pid, `sshd ${netns}`);
  if (tracked === null) throw new Error(`lab: sshd in ${netns} did not start: ${readFileSync(logFile, 'utf8')}`);
  onProcess(tracked);

  await waitForTcp(tracked, listenAddress, 22, logFile);
  const exe = await mustRun(['readlink', `/proc/${tracked.pid}/exe`]);
  if (exe.trim() !== '/usr/sbin/sshd') throw new Error(`lab: pid ${tracked.pid} is ${exe.trim()}, not sshd`);

  const hostKey = (await readFile(`${hostKeyFile}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
  return { pid: tracked, privateKey: await readFile(clientKeyFile, 'utf8'), hostKey, logFile };
}

export function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 500 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function waitForTcp(pid: TrackedPid, host: string, port: number, logFile: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await tcpAccepts(host, port)) return;
    if (!isAlive(pid)) throw new Error(`lab: ${pid.label} exited: ${readFileSync(logFile, 'utf8')}`);
    await sleep(50);
  }
  throw new Error(`lab: ${pid.label} not listening on ${host}:${port} after 100 attempts: ${readFileSync(logFile, 'utf8')}`);
}
