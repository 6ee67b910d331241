import { existsSync } from 'node:fs';
import { isIP } from 'node:net';

// iputils-ping is not installed on these machines; busybox's ping applet is. Its -W only bounds the
// wait after the last packet, so -w adds an overall deadline; -i 0.2 (root only) saves a second a packet.
const PING = ['/usr/bin/ping', '/bin/ping'].find((p) => existsSync(p));

export function pingArgv(host: string, count: number, waitSeconds: number): string[] {
  const family = isIP(host);
  if (family === 0) throw new Error(`lab: ping wants an IP address, got ${host}`);
  const options = [`-${family}`, '-c', String(count), '-i', '0.2', '-W', String(waitSeconds), '-w', String(count + waitSeconds + 2)];
  return PING === undefined ? ['busybox', 'ping', ...options, host] : [PING, ...options, host];
}

/** Pings for `seconds` with large packets every 10 ms (about 120 KB/s each way): traffic a rate can see. */
export function trafficArgv(host: string, seconds: number): string[] {
  const family = isIP(host);
  if (family === 0) throw new Error(`lab: ping wants an IP address, got ${host}`);
  const options = [`-${family}`, '-q', '-s', '1200', '-i', '0.01', '-w', String(seconds)];
  return PING === undefined ? ['busybox', 'ping', ...options, host] : [PING, ...options, host];
}
