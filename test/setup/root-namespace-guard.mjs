// Tests build WireGuard nodes in namespaces of their own; none may touch this machine's root
// namespace (the test app's nodes are made-up rows, and its reconciler is off). This compares the
// root namespace's WireGuard sockets and wgfleet iptables chains before and after the run, so a
// push that escapes to the host fails the run instead of going unnoticed.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function wireguardSockets() {
  try {
    return (await readdir('/run/wireguard')).filter((name) => name.endsWith('.sock')).sort();
  } catch {
    return [];
  }
}

async function wgfleetChains() {
  try {
    const { stdout } = await run('iptables-save', [], { timeout: 10_000 });
    return stdout.split('\n').filter((line) => /^:WGF-/.test(line)).sort();
  } catch {
    return []; // no iptables here: nothing could have been added either
  }
}

export async function rootNamespaceState() {
  return { sockets: await wireguardSockets(), chains: await wgfleetChains() };
}

export function escapedChanges(before, after) {
  const added = (a, b) => b.filter((item) => !a.includes(item));
  return [...added(before.sockets, after.sockets).map((s) => `/run/wireguard/${s}`), ...added(before.chains, after.chains)];
}
