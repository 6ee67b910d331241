import { spawn } from 'node:child_process';
import { isIP } from 'node:net';
import { run } from './run.js';
import { track, type TrackedPid } from './processes.js';

export const ECHO_BANNER = 'wgfleet-lab-echo\n';

// Constant scripts; the port, host and banner arrive as argv, never as code.
const ECHO_SERVER_SCRIPT = `
const [port, banner] = process.argv.slice(1);
const server = require('node:net').createServer((s) => { s.on('error', () => {}); s.end(banner); });
server.listen(Number(port), () => process.stdout.write('listening\\n'));
`;

const TCP_CONNECT_SCRIPT = `
const [host, port, timeoutMs] = process.argv.slice(1);
const chunks = [];
const s = require('node:net').connect({ host, port: Number(port) });
s.setTimeout(Number(timeoutMs), () => { process.stderr.write('timeout'); process.exit(2); });
s.on('data', (c) => chunks.push(c));
s.on('error', (e) => { process.stderr.write(e.message); process.exit(1); });
s.on('end', () => { process.stdout.write(Buffer.concat(chunks)); process.exit(0); });
`;

function assertPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`lab: bad port ${port}`);
}

/** A TCP server in `netns` that answers every connection with ECHO_BANNER and closes it. */
export function startTcpEcho(netns: string, port: number, timeoutMs = 5_000): Promise<TrackedPid> {
  assertPort(port);
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', ECHO_SERVER_SCRIPT, String(port), ECHO_BANNER], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.unref();
  return new Promise((resolve, reject) => {
    let stderr = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      reject(new Error(`lab: tcp echo in ${netns}:${port} ${why}: ${stderr}`));
    };
    const timer = setTimeout(() => fail(`not listening within ${timeoutMs} ms`), timeoutMs);
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => fail(`exited ${String(code)}`));
    child.stdout.on('data', (c: Buffer) => {
      if (!c.toString().includes('listening')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      // ip netns exec execs node in place, so this pid is the server itself.
      const tracked = child.pid === undefined ? null : track(child.pid, `tcp echo ${netns}:${port}`);
      if (tracked === null) reject(new Error(`lab: tcp echo in ${netns} vanished`));
      else resolve(tracked);
      child.stdout.destroy();
      child.stderr.destroy();
    });
  });
}

/** Connects from inside `netns` and returns everything the server sent before closing. */
export async function tcpConnect(netns: string, host: string, port: number, timeoutMs = 5_000): Promise<string> {
  assertPort(port);
  if (isIP(host) === 0) throw new Error(`lab: tcpConnect wants an IP address, got ${host}`);
  const result = await run(['ip', 'netns', 'exec', netns, process.execPath, '-e', TCP_CONNECT_SCRIPT, host, String(port), String(timeoutMs)], {
    timeoutMs: timeoutMs + 5_000,
  });
  if (result.code !== 0) throw new Error(`lab: tcp connect ${netns} → ${host}:${port} failed: ${result.stderr.trim()}`);
  return result.stdout;
}
