import { connect as tcpConnect } from 'node:net';
import { Client } from 'ssh2';

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  /** The pinned host key, `ssh-ed25519 AAAA…`. */
  hostKey: string;
}

export interface SshExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function pinnedBlob(hostKey: string): Buffer {
  const [type, base64] = hostKey.trim().split(/\s+/);
  if (type !== 'ssh-ed25519' || base64 === undefined) throw new Error('ssh-exec: pinned host key must be an ssh-ed25519 line');
  return Buffer.from(base64, 'base64');
}

/** A small ssh2 client for lab tests; the product's SSH driver is a separate thing. */
export class SshExec {
  private constructor(private readonly client: Client) {}

  static connect(target: SshTarget, timeoutMs = 10_000): Promise<SshExec> {
    const pinned = pinnedBlob(target.hostKey);
    const client = new Client();
    // ssh2 leaves Nagle on; with it every exec round trip waits on delayed ACKs (~40 ms vs ~5 ms).
    const sock = tcpConnect({ host: target.host, port: target.port, noDelay: true });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.end();
        sock.destroy();
        reject(new Error(`ssh-exec: no connection to ${target.host}:${target.port} within ${timeoutMs} ms`));
      }, timeoutMs);
      client.once('ready', () => {
        clearTimeout(timer);
        client.removeAllListeners('error');
        client.on('error', () => undefined);
        resolve(new SshExec(client));
      });
      client.once('error', (error) => {
        clearTimeout(timer);
        sock.destroy();
        reject(error);
      });
      client.connect({
        sock,
        username: target.username,
        privateKey: target.privateKey,
        readyTimeout: timeoutMs,
        algorithms: { serverHostKey: ['ssh-ed25519'] },
        // Without hostHash, ssh2 hands over the raw key blob: compare it byte for byte with the pin.
        hostVerifier: (key: Buffer) => key.equals(pinned),
      });
    });
  }

  /** Runs `command`, writes `stdin` and ends it (commands such as `wg syncconf … /dev/stdin` apply on EOF). */
  exec(command: string, stdin?: string, timeoutMs = 30_000): Promise<SshExecResult> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, (error, stream) => {
        if (error) return reject(error);
        let stdout = '';
        let stderr = '';
        let code: number | null = null;
        const timer = setTimeout(() => {
          stream.close();
          reject(new Error(`ssh-exec: command did not finish within ${timeoutMs} ms`));
        }, timeoutMs);
        stream.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        stream.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        stream.on('exit', (exitCode: number | null) => (code = exitCode));
        stream.on('close', () => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
        stream.end(stdin ?? '');
      });
    });
  }

  close(): void {
    this.client.end();
  }
}
