import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { bearer } from '../support/test-app.js';
import { waitFor as poll } from '../support/wait-for.js';
import type { RunResult } from './run.js';

/** Shared pieces of the lab specs that drive the whole app over HTTP against lab nodes. */

/** waitFor at the lab's pace: a probe here often runs a command in a namespace, so every 100 ms by default. */
export function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number, stepMs = 100): Promise<T> {
  return poll(what, probe, timeoutMs, stepMs);
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
