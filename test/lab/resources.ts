import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { isAlive, killNow, terminate, track, type TrackedPid } from './processes.js';
import { run } from './run.js';

/**
 * Everything one lab created, recorded before it exists, so teardown works from any half-built state.
 * Cleanup is strictly by name and pid of what is listed here: other work shares the machine.
 */
export class LabResources {
  readonly namespaces: string[] = [];
  readonly rootLinks: string[] = [];
  readonly pids: TrackedPid[] = [];
  readonly uapiSockets: string[] = [];
  constructor(readonly tmpDir: string) {}

  addPid(pid: TrackedPid): void {
    this.pids.push(pid);
  }

  /** Pids the kernel lists in our namespaces, e.g. wireguard-go that daemonized itself to PID 1. */
  private async namespacePids(netns: string): Promise<TrackedPid[]> {
    const result = await run(['ip', 'netns', 'pids', netns]);
    return parsePids(result.stdout, netns);
  }

  async teardown(): Promise<string[]> {
    const problems: string[] = [];
    const stubborn = await terminate(this.pids);
    for (let round = 0; round < 3; round++) {
      const listed = (await Promise.all(this.namespaces.map((ns) => this.namespacePids(ns)))).flat();
      if (listed.length === 0) break;
      this.pids.push(...listed);
      stubborn.push(...(await terminate(listed, 1_000)));
    }
    for (const p of stubborn) problems.push(`pid ${p.pid} (${p.label}) survived SIGKILL`);
    for (const link of this.rootLinks) {
      if ((await run(['ip', 'link', 'show', 'dev', link])).code !== 0) continue;
      const r = await run(['ip', 'link', 'del', 'dev', link]);
      if (r.code !== 0) problems.push(`ip link del ${link}: ${r.stderr.trim()}`);
    }
    const existing = await listNamespaces();
    for (const ns of this.namespaces.filter((n) => existing.has(n))) {
      const r = await run(['ip', 'netns', 'del', ns]);
      if (r.code !== 0) problems.push(`ip netns del ${ns}: ${r.stderr.trim()}`);
    }
    // wireguard-go removes its socket on SIGTERM but not on SIGKILL.
    for (const socket of this.uapiSockets) await rm(socket, { force: true });
    await rm(this.tmpDir, { recursive: true, force: true });
    return problems;
  }

  /** For exit and signal handlers: synchronous, best effort. */
  teardownSync(): void {
    killNow(this.pids);
    for (const ns of this.namespaces) {
      const listed = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 5_000 });
      killNow(parsePids(listed.stdout ?? '', ns));
    }
    for (const link of this.rootLinks) spawnSync('ip', ['link', 'del', 'dev', link], { timeout: 5_000, stdio: 'ignore' });
    for (const ns of this.namespaces) spawnSync('ip', ['netns', 'del', ns], { timeout: 5_000, stdio: 'ignore' });
    for (const socket of this.uapiSockets) rmSync(socket, { force: true });
    rmSync(this.tmpDir, { recursive: true, force: true });
  }

  async leftovers(): Promise<string[]> {
    const found: string[] = [];
    const namespaces = await listNamespaces();
    for (const ns of this.namespaces) if (namespaces.has(ns)) found.push(`namespace ${ns}`);
    const links = await run(['ip', '-o', 'link', 'show']);
    const linkNames = new Set(links.stdout.split('\n').map((l) => l.split(': ')[1]?.split('@')[0]));
    for (const link of this.rootLinks) if (linkNames.has(link)) found.push(`root link ${link}`);
    for (const p of this.pids) if (isAlive(p)) found.push(`pid ${p.pid} (${p.label})`);
    for (const socket of this.uapiSockets) if (existsSync(socket)) found.push(`socket ${socket}`);
    if (existsSync(this.tmpDir)) found.push(`temp dir ${this.tmpDir}`);
    return found;
  }
}

function parsePids(stdout: string, netns: string): TrackedPid[] {
  return stdout
    .split('\n')
    .filter((l) => /^\d+$/.test(l.trim()))
    .map((l) => track(Number(l.trim()), `pid in ${netns}`))
    .filter((p): p is TrackedPid => p !== null);
}

async function listNamespaces(): Promise<Set<string>> {
  const result = await run(['ip', 'netns', 'list']);
  return new Set(result.stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter(Boolean));
}
