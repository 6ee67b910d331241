import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { bearer } from '../support/test-app.js';
import type { RunResult } from './run.js';

/** Shared pieces of the lab specs that drive the whole app over HTTP against lab nodes. */

/** Polls `probe` until it yields a value (not null/undefined/false); bounded, with the last error in the message. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/** Requests with one API key. `http` is read at call time, so a restarted app is picked up. */
export function apiAs(http: () => ReturnType<NestFastifyApplication['getHttpServer']>, key: string) {
  return {
    get: (path: string) => request(http()).get(path).set(bearer(key)),
    post: (path: string, body: object = {}) => request(http()).post(path).set(bearer(key)).send(body),
    del: (path: string) => request(http()).delete(path).set(bearer(key)),
  };
}

type Exec = (argv: readonly string[]) => Promise<RunResult>;

/** A command's stdout on a lab node; a non-zero exit throws with its stderr. */
export async function nodeOutput(exec: Exec, where: string, argv: string[]): Promise<string> {
  const result = await exec(argv);
  if (result.code !== 0) throw new Error(`${argv.join(' ')} on ${where} exited ${String(result.code)}: ${result.stderr}`);
  return result.stdout;
}
