import { run, mustRun } from './run.js';

// The address plan of lab-notes.md. The machine itself lives on 192.0.2.0/24, fd00::/64, reaches the
// package registries at 203.0.113.80 and DNS at 10.255.255.53: a lab address in one of those ranges on
// a root-namespace link captures the route and cuts npm/apt for everyone on the machine.
export const MAX_NODE_NUMBER = 155; // 198.19.(100+n) must stay a valid octet

export function nodePlan(n: number) {
  if (!Number.isInteger(n) || n < 1 || n > MAX_NODE_NUMBER) throw new Error(`lab: node number ${n} out of plan`);
  return {
    rootIp: `198.18.${n}.1`,
    sshHost: `198.18.${n}.2`,
    clientLinkIp: `198.19.${n}.1`,
    clientIp: (k: number) => `198.19.${n}.${1 + k}`,
    publicIp: `198.19.${100 + n}.1`,
    internetIp: `198.19.${100 + n}.2`,
  };
}

/** The only addresses the lab ever puts on a root-namespace link. */
export function assertRootLinkAddress(cidr: string): void {
  if (!/^198\.18\.(\d{1,3})\.1\/30$/.test(cidr)) throw new Error(`lab: refusing root-namespace address ${cidr}`);
}

/** Node numbers whose 198.18.n.0/30 is on no root link yet, so labs started in parallel can coexist. */
export async function freeNodeNumbers(count: number): Promise<number[]> {
  const used = new Set<number>();
  for (const m of (await mustRun(['ip', '-o', '-4', 'addr', 'show'])).matchAll(/inet 198\.18\.(\d+)\./g)) {
    used.add(Number(m[1]));
  }
  for (const m of (await mustRun(['ip', '-4', 'route', 'show'])).matchAll(/^198\.18\.(\d+)\./gm)) {
    used.add(Number(m[1]));
  }
  const free: number[] = [];
  for (let n = 1; n <= MAX_NODE_NUMBER; n++) if (!used.has(n)) free.push(n);
  if (free.length < count) throw new Error('lab: no free 198.18.n.0/30 left');
  // A random pick keeps two labs starting at the same moment from racing for the same number.
  const start = Math.floor(Math.random() * free.length);
  return Array.from({ length: count }, (_, i) => free[(start + i) % free.length]!);
}

/** Fails if any root link other than `device` holds an address in 198.18.n.0/30. */
export async function assertNodeNumberOwned(n: number, device: string): Promise<void> {
  const lines = (await mustRun(['ip', '-o', '-4', 'addr', 'show'])).split('\n');
  const holders = lines.filter((l) => l.includes(` inet 198.18.${n}.`)).map((l) => l.split(/\s+/)[1]);
  if (holders.length !== 1 || holders[0] !== device) {
    throw new Error(`lab: 198.18.${n}.0/30 is held by ${holders.join(', ') || 'nobody'}, expected only ${device}`);
  }
}

const GUARDED_DESTINATIONS = ['203.0.113.80', '10.255.255.53'] as const;

async function routeOf(destination: string): Promise<string> {
  const result = await run(['ip', '-4', 'route', 'get', destination]);
  const line = result.stdout.split('\n')[0] ?? '';
  const via = /\bvia (\S+)/.exec(line)?.[1] ?? '-';
  const dev = /\bdev (\S+)/.exec(line)?.[1] ?? '-';
  return `${destination} via ${via} dev ${dev}`;
}

/** Snapshot of how the machine reaches its registries and DNS; `check()` throws if a lab link changed it. */
export async function snapshotMachineRoutes(): Promise<{ check(when: string): Promise<void> }> {
  const before = await Promise.all(GUARDED_DESTINATIONS.map(routeOf));
  return {
    async check(when: string) {
      const now = await Promise.all(GUARDED_DESTINATIONS.map(routeOf));
      const changed = now.filter((route, i) => route !== before[i]);
      if (changed.length > 0) {
        throw new Error(`lab: machine routes changed ${when}: ${changed.join('; ')} (was ${before.join('; ')})`);
      }
    },
  };
}
