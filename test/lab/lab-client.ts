import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseClientConfig, type ClientConfig } from '@wgfleet/wireguard';
import { pingArgv } from './ping.js';
import { isAlive, track, type TrackedPid } from './processes.js';
import { mustRun, run, type RunOptions, type RunResult } from './run.js';

export interface LabClientInit {
  name: string;
  netns: string;
  ip: string;
  gateway: string;
  defaultIfname: string;
  tmpDir: string;
  onProcess(pid: TrackedPid): void;
  onInterface(ifname: string): void;
}

/** wg(8) format: what `wg setconf` accepts, i.e. the wg-quick file without Address/DNS/MTU. */
export function toWgSetconf(c: ClientConfig): string {
  if (c.privateKey === null) throw new Error('lab: client config has no PrivateKey');
  const lines = ['[Interface]', `PrivateKey = ${c.privateKey}`, '', '[Peer]', `PublicKey = ${c.peer.publicKey}`];
  if (c.peer.presharedKey !== null) lines.push(`PresharedKey = ${c.peer.presharedKey}`);
  lines.push(`Endpoint = ${c.peer.endpoint}`, `AllowedIPs = ${c.peer.allowedIps.join(', ')}`);
  if (c.peer.persistentKeepalive !== null) lines.push(`PersistentKeepalive = ${c.peer.persistentKeepalive}`);
  return `${lines.join('\n')}\n`;
}

function endpointHost(endpoint: string): string {
  const host = endpoint.startsWith('[') ? endpoint.slice(1, endpoint.indexOf(']')) : endpoint.slice(0, endpoint.lastIndexOf(':'));
  if (isIP(host) !== 4) throw new Error(`lab: client endpoint must be an IPv4 address in the lab, got ${endpoint}`);
  return host;
}

const family = (cidr: string) => (cidr.includes(':') ? '-6' : '-4');

export class LabClient {
  readonly name: string;
  readonly netns: string;
  readonly ip: string;
  private readonly init: LabClientInit;

  constructor(init: LabClientInit) {
    this.init = init;
    this.name = init.name;
    this.netns = init.netns;
    this.ip = init.ip;
  }

  exec(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    return run(['ip', 'netns', 'exec', this.netns, ...argv], options);
  }

  /** `ping -c count -W waitSeconds`, IPv6 when `host` is; exit code 0 once any reply came back. */
  ping(host: string, count = 3, waitSeconds = 2): Promise<RunResult> {
    return this.exec(pingArgv(host, count, waitSeconds), { timeoutMs: (count + waitSeconds + 5) * 1_000 });
  }

  private async must(argv: readonly string[], options?: RunOptions): Promise<string> {
    return mustRun(['ip', 'netns', 'exec', this.netns, ...argv], options);
  }

  /** Brings up a wg-quick config the way wg-quick would, with wireguard-go owned (and killed) by the lab. */
  async bringUp(configText: string, ifname = this.init.defaultIfname): Promise<void> {
    const config = parseClientConfig(configText);
    const endpoint = endpointHost(config.peer.endpoint);
    await this.startWireguardGo(ifname);
    await this.must(['wg', 'setconf', ifname, '/dev/stdin'], { input: toWgSetconf(config) });
    for (const address of config.addresses) {
      // No DAD on a point-to-point tunnel: a tentative IPv6 address would drop the first pings.
      const extra = address.includes(':') ? ['nodad'] : [];
      await this.must(['ip', family(address), 'address', 'add', address, 'dev', ifname, ...extra]);
    }
    await this.must(['ip', 'link', 'set', 'dev', ifname, ...(config.mtu === null ? [] : ['mtu', String(config.mtu)]), 'up']);

    const isDefault = (cidr: string) => cidr === '0.0.0.0/0' || cidr === '::/0';
    if (config.peer.allowedIps.some(isDefault)) {
      // Pin the endpoint to the underlay first, or the default route through the tunnel would carry
      // the tunnel's own UDP packets into itself.
      const via = endpoint === this.init.gateway ? [] : ['via', this.init.gateway];
      await this.must(['ip', '-4', 'route', 'replace', `${endpoint}/32`, ...via, 'dev', 'eth0']);
    }
    for (const cidr of config.peer.allowedIps) {
      const destination = isDefault(cidr) ? 'default' : cidr;
      await this.must(['ip', family(cidr), 'route', 'replace', destination, 'dev', ifname]);
    }
  }

  private async startWireguardGo(ifname: string): Promise<void> {
    this.init.onInterface(ifname);
    const logFile = join(this.init.tmpDir, `${ifname}.log`);
    const log = openSync(logFile, 'a');
    // -f keeps it in the foreground so the lab owns its pid (without it, it daemonizes to PID 1).
    const child = spawn('ip', ['netns', 'exec', this.netns, 'wireguard-go', '-f', ifname], { stdio: ['ignore', log, log], detached: true });
    closeSync(log);
    child.unref();
    const pid = child.pid === undefined ? null : track(child.pid, `wireguard-go ${ifname} in ${this.netns}`);
    if (pid === null) throw new Error(`lab: wireguard-go ${ifname} did not start: ${readFileSync(logFile, 'utf8')}`);
    this.init.onProcess(pid);
    // Client namespaces are not mount-isolated: the UAPI socket lands in the machine's /run/wireguard.
    for (let attempt = 0; attempt < 100; attempt++) {
      if (await access(`/run/wireguard/${ifname}.sock`).then(() => true, () => false)) return;
      if (!isAlive(pid)) break;
      await sleep(50);
    }
    throw new Error(`lab: wireguard-go ${ifname} has no UAPI socket: ${readFileSync(logFile, 'utf8')}`);
  }
}
