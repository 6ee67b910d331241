import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './free-port.js';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RedisServer {
  url: string;
  port: number;
  /** Stops this redis-server (by its pid) and waits for it to exit. */
  stop(): Promise<void>;
}

const REDIS_SERVER = '/usr/bin/redis-server';

/** A throwaway redis-server on a free loopback port, with no persistence. */
export async function startRedis(timeoutMs = 5_000): Promise<RedisServer> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'];
  const child = spawn(REDIS_SERVER, args, { detached: false, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  let running = true;
  const exited = new Promise<void>((resolve) => {
    const gone = (): void => {
      running = false;
      resolve();
    };
    child.once('exit', gone);
    child.once('error', (error) => {
      output.push(String(error));
      gone();
    });
  });

  const stop = async (): Promise<void> => {
    if (!running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + timeoutMs;
  while (!(await answersPing(port))) {
    if (!running || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not answer PING on port ${port} within ${timeoutMs} ms:\n${output.join('')}`);
    }
    await sleep(50);
  }
  return { url: `redis://127.0.0.1:${port}`, port, stop };
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk: Buffer) => done(chunk.toString().startsWith('+PONG')));
  });
}
