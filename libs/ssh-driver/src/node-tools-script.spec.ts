import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PING_SCRIPT,
  pingCommand,
  SNAPSHOT_MARK,
  SYSTEM_SNAPSHOT_SCRIPT,
  systemSnapshotCommand,
  TOOL_BAD_INPUT_EXIT,
  toolArgv,
  toolRemoteCommand,
  TRACEROUTE_SCRIPT,
  tracerouteCommand,
} from './node-tools-script.js';

/** A PATH whose `ping`, `traceroute` and `id` only print their argv, one item per line. */
let shims: string;
beforeAll(() => {
  shims = mkdtempSync(join(tmpdir(), 'wgf-tools-'));
  for (const name of ['ping', 'traceroute']) {
    writeFileSync(join(shims, name), `#!/bin/sh\necho ${name}\nfor a in "$@"; do printf '%s\\n' "$a"; done\n`);
    chmodSync(join(shims, name), 0o755);
  }
});
afterAll(() => rmSync(shims, { recursive: true, force: true }));

function runScript(script: string, stdin: string): { code: number | null; argv: string[] } {
  const result = spawnSync('sh', ['-c', script, 'sh'], { input: stdin, env: { PATH: `${shims}:/usr/bin:/bin` } });
  return { code: result.status, argv: result.stdout.toString().split('\n').filter((l) => l !== '') };
}

describe('pingCommand', () => {
  it('sends the canonical target and the count on stdin, under a time bound', () => {
    const command = pingCommand('FD42:66:1:0::1', 3);
    expect(command.stdin.toString()).toBe('fd42:66:1::1\n3\n');
    expect(command.script).toBe(PING_SCRIPT);
    expect(command.timeoutSeconds).toBe(18);
  });

  it.each([['-c'], ['a b'], ['127.0.0.1;id'], [''], ['x'.repeat(254)]])('refuses the target %j before anything runs', (address) => {
    expect(() => pingCommand(address, 1)).toThrow('address must be an IPv4 or IPv6 address or a host name');
  });

  it.each([0, 11, 2.5])('refuses the count %j', (count) => {
    expect(() => pingCommand('127.0.0.1', count)).toThrow('count must be an integer from 1 to 10');
  });
});

describe('the command line', () => {
  it('is the same constant for every target: nothing typed reaches it', () => {
    const a = toolRemoteCommand(pingCommand('10.0.0.1', 1));
    const b = toolRemoteCommand(pingCommand('evil-host.example', 1));
    expect(a).toBe(b);
    expect(a).not.toContain('10.0.0.1');
    expect(toolRemoteCommand(tracerouteCommand('10.0.0.1'))).not.toContain('10.0.0.1');
    expect(toolArgv(systemSnapshotCommand())).toEqual(['timeout', '-k', '2', '10', 'sh', '-c', SYSTEM_SNAPSHOT_SCRIPT, 'sh']);
  });

  it('runs the script under sh as one quoted word', () => {
    expect(toolRemoteCommand(tracerouteCommand('10.0.0.1')).startsWith("timeout '-k' '2' '25' 'sh' '-c' 'export LC_ALL=C")).toBe(true);
  });
});

describe('the scripts under a real sh', () => {
  it('ping gets the target and count as single argv items after --', () => {
    expect(runScript(PING_SCRIPT, '127.0.0.1\n3\n')).toEqual({ code: 0, argv: ['ping', '-n', '-c', '3', '-i', '1', '-W', '2', '--', '127.0.0.1'] });
  });

  it('traceroute gets the target as one argv item after --', () => {
    const { code, argv } = runScript(TRACEROUTE_SCRIPT, 'host.example\n');
    expect(code).toBe(0);
    expect(argv.slice(-8)).toEqual(['-q', '2', '-w', '1', '-m', '64', '--', 'host.example']);
  });

  it.each([
    ['-f\n1\n'],
    ['a b\n1\n'],
    ['$(id)\n1\n'],
    ['127.0.0.1\n0\n'],
    ['127.0.0.1\n11\n'],
    ['127.0.0.1\n1;id\n'],
    ['127.0.0.1\n'],
    [''],
  ])('refuses stdin %j even if the control plane had not (exit 64)', (stdin) => {
    expect(runScript(PING_SCRIPT, stdin)).toEqual({ code: TOOL_BAD_INPUT_EXIT, argv: [] });
  });

  it('traceroute refuses a target with a leading dash', () => {
    expect(runScript(TRACEROUTE_SCRIPT, '-I\n')).toEqual({ code: TOOL_BAD_INPUT_EXIT, argv: [] });
  });

  it('the system snapshot prints every section, in order', () => {
    const result = spawnSync('sh', ['-c', SYSTEM_SNAPSHOT_SCRIPT, 'sh']);
    expect(result.status).toBe(0);
    const marks = result.stdout
      .toString()
      .split('\n')
      .filter((line) => line.startsWith(`${SNAPSHOT_MARK} `));
    expect(marks).toEqual(['stat1', 'stat2', 'meminfo', 'netdev', 'filesystems', 'df', 'names', 'ps', 'end'].map((s) => `${SNAPSHOT_MARK} ${s}`));
  });
});
