import { connect as tcpConnect, type Socket } from 'node:net';
import { backoffDelay } from '@wgfleet/core';
import { HostKeyMismatchError, NodeUnreachableError } from '@wgfleet/node-sync';
import { Client, type ClientChannel, type ServerHostKeyAlgorithm } from 'ssh2';
import { Semaphore } from './semaphore.js';

export interface SshConnectionOptions {
  /** TCP connect + key exchange + authentication (ssh2 `readyTimeout`). */
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  /** Channels in flight on this connection; keep it below sshd's MaxSessions (default 10). */
  maxChannels: number;
  /** First wait after a failed connect; doubles per failure up to backoffMaxMs. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Largest stdout kept (a `wg show dump` of 10k peers is ~850 KB). */
  maxStdoutBytes: number;
  now: () => number;
}

export interface SshConnectTarget {
  nodeName: string;
  host: string;
  port: number;
  username: string;
  privateKey: string;
  hostKey: string;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: string;
}

const MAX_STDERR_CHARS = 8 * 1024;


/** `ssh-ed25519 AAAA… [comment]` → key type and raw blob, the form ssh2's hostVerifier receives. */
export function parsePinnedHostKey(line: string): { type: string; blob: Buffer } {
  const [type, base64] = typeof line === 'string' ? line.trim().split(/\s+/) : [];
  if (type === undefined || base64 === undefined || !/^[a-z0-9@.-]+$/.test(type) || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw new Error('pinned host key must be an OpenSSH public key line such as "ssh-ed25519 AAAA…"');
  }
  const blob = Buffer.from(base64, 'base64');
  // The blob starts with its own type name: a line whose two halves disagree is not a usable pin.
  const nameLength = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (nameLength < 0 || blob.subarray(4, 4 + nameLength).toString('latin1') !== type) {
    throw new Error('pinned host key line is malformed: its key blob does not match its type');
  }
  return { type, blob };
}

/** Signature algorithms that present a key of the pinned type (an RSA key signs with SHA-2 first). */
function hostKeyAlgorithms(type: string): ServerHostKeyAlgorithm[] {
  if (type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [type as ServerHostKeyAlgorithm];
}

/**
 * One pooled ssh2 connection to one node: connects on first use, reconnects on the next call after a
 * drop, backs off exponentially after failed connects (a call during the backoff fails fast), pins the
 * host key, sets TCP_NODELAY, and caps the channels in flight.
 */
export class SshConnection {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private failures = 0;
  private nextAttemptAt = 0;
  private lastFailure: Error | null = null;
  private closed = false;
  private readonly channels: Semaphore;
  private readonly pinned: { type: string; blob: Buffer };

  constructor(
    private readonly target: SshConnectTarget,
    private readonly options: SshConnectionOptions,
  ) {
    this.channels = new Semaphore(options.maxChannels);
    this.pinned = parsePinnedHostKey(target.hostKey);
  }

  /** Runs `command`, writes `stdin` and ends it; resolves with the exit status, whatever it is. */
  exec(command: string, stdin: Buffer, timeoutMs: number): Promise<ExecResult> {
    return this.channels.run(async () => {
      const client = await this.ready();
      return this.execOn(client, command, stdin, timeoutMs);
    });
  }

  close(): void {
    this.closed = true;
    this.drop();
  }

  private ready(): Promise<Client> {
    if (this.closed) return Promise.reject(new NodeUnreachableError(`node ${this.target.nodeName}: the driver is closed`));
    if (this.client !== null) return Promise.resolve(this.client);
    if (this.connecting !== null) return this.connecting;
    const wait = this.nextAttemptAt - this.options.now();
    if (wait > 0) {
      // Fail fast: the same kind as the failure that started the backoff (a mismatch stays a mismatch).
      const reason = this.lastFailure?.message ?? 'unreachable';
      const message = `${reason} (next attempt in ${Math.ceil(wait / 1000)} s)`;
      return Promise.reject(this.lastFailure instanceof HostKeyMismatchError ? new HostKeyMismatchError(message) : new NodeUnreachableError(message));
    }
    const attempt = this.connect().then(
      (client) => {
        this.failures = 0;
        this.nextAttemptAt = 0;
        this.lastFailure = null;
        this.connecting = null;
        this.client = client;
        return client;
      },
      (error: Error) => {
        this.failures++;
        this.nextAttemptAt = this.options.now() + backoffDelay(this.failures, { initialMs: this.options.backoffInitialMs, maxMs: this.options.backoffMaxMs });
        this.lastFailure = error;
        this.connecting = null;
        throw error;
      },
    );
    this.connecting = attempt;
    return attempt;
  }

  private connect(): Promise<Client> {
    const { host, port, username, privateKey, nodeName } = this.target;
    const { connectTimeoutMs } = this.options;
    return new Promise((resolve, reject) => {
      const client = new Client();
      let sock: Socket | null = null;
      let mismatch = false;
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.end();
        sock?.destroy();
        reject(error);
      };
      // ssh2's readyTimeout covers the handshake; this also covers a TCP connect that never completes.
      const timer = setTimeout(
        () => fail(new NodeUnreachableError(`node ${nodeName}: no SSH connection to ${host}:${port} within ${connectTimeoutMs} ms`)),
        connectTimeoutMs + 500,
      );
      client.on('error', (error: Error & { level?: string }) => {
        if (mismatch) {
          fail(new HostKeyMismatchError(`node ${nodeName}: the host key presented by ${host}:${port} differs from the pinned key; nothing was sent`));
        } else {
          const what = /timed out/i.test(error.message) ? `no SSH connection within ${connectTimeoutMs} ms` : error.message;
          fail(new NodeUnreachableError(`node ${nodeName}: cannot connect to ${host}:${port}: ${what}`));
        }
        // After 'ready' this is a dropped connection: the next call reconnects.
        if (this.client === client) this.drop();
      });
      client.on('close', () => {
        if (this.client === client) this.client = null;
        fail(new NodeUnreachableError(`node ${nodeName}: connection to ${host}:${port} closed during the handshake`));
      });
      client.once('ready', () => {
        if (settled) return client.end();
        settled = true;
        clearTimeout(timer);
        resolve(client);
      });
      // ssh2 leaves Nagle on: every exec round trip would wait on delayed ACKs (~48 ms instead of ~5 ms).
      sock = tcpConnect({ host, port, noDelay: true });
      sock.on('error', () => undefined); // reported through the client's 'error'
      client.connect({
        sock,
        username,
        privateKey,
        readyTimeout: connectTimeoutMs,
        keepaliveInterval: this.options.keepaliveIntervalMs,
        keepaliveCountMax: this.options.keepaliveCountMax,
        // Ask for the pinned key's type, or a server with several host keys may present another one.
        algorithms: { serverHostKey: hostKeyAlgorithms(this.pinned.type) },
        // Without hostHash ssh2 passes the raw key blob: compare byte for byte, before any authentication.
        hostVerifier: (key: Buffer) => {
          const ok = key.equals(this.pinned.blob);
          if (!ok) mismatch = true;
          return ok;
        },
      });
    });
  }

  private execOn(client: Client, command: string, stdin: Buffer, timeoutMs: number): Promise<ExecResult> {
    const { nodeName } = this.target;
    return new Promise((resolve, reject) => {
      client.exec(command, (error, stream: ClientChannel) => {
        if (error) {
          // A channel-open failure usually means a broken or saturated connection: start afresh next time.
          this.drop(client);
          return reject(new NodeUnreachableError(`node ${nodeName}: cannot open an SSH channel: ${error.message}`));
        }
        const stdout: Buffer[] = [];
        let stdoutBytes = 0;
        let stderr = '';
        let code: number | null = null;
        let signal: string | null = null;
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          // Closing the channel may leave the remote process running; the remote `timeout` ends it.
          stream.close();
        }, timeoutMs);
        stream.on('data', (chunk: Buffer) => {
          stdoutBytes += chunk.length;
          if (stdoutBytes <= this.options.maxStdoutBytes) stdout.push(chunk);
        });
        stream.stderr.on('data', (chunk: Buffer) => {
          stderr = (stderr + chunk.toString('utf8')).slice(-MAX_STDERR_CHARS);
        });
        stream.on('exit', (exitCode: number | null, exitSignal?: string) => {
          code = exitCode;
          signal = exitSignal ?? null;
        });
        stream.on('error', () => undefined);
        stream.on('close', () => {
          clearTimeout(timer);
          if (timedOut) return reject(new NodeUnreachableError(`node ${nodeName}: the command did not finish within ${timeoutMs} ms`));
          if (code === null && signal === null) {
            return reject(new NodeUnreachableError(`node ${nodeName}: the connection was lost during the command`));
          }
          if (stdoutBytes > this.options.maxStdoutBytes) {
            return reject(new NodeUnreachableError(`node ${nodeName}: the command printed more than ${this.options.maxStdoutBytes} bytes`));
          }
          resolve({ code, signal, stdout: Buffer.concat(stdout), stderr });
        });
        stream.end(stdin);
      });
    });
  }

  private drop(only?: Client): void {
    const client = this.client;
    if (client === null || (only !== undefined && client !== only)) return;
    this.client = null;
    client.end();
  }
}
