import { asObject } from '../wgd-request.js';
import { JOB_KEYS } from './peer-job.js';

/**
 * The first steps of savePeerScheduleJob and deletePeerScheduleJob (notes §2.38-2.39), before the
 * configuration and peer are looked up: a failure upstream answers (HTTP 200, `status:false`), one
 * where it crashes (our 400 with what to send), or the Job object.
 */
export type JobRequest =
  | { kind: 'fail'; message: string }
  | { kind: 'bad-request'; message: string }
  | { kind: 'job'; job: Record<string, unknown> };

export const JOB_OBJECT_NEEDED = `Please provide Job as an object with ${JOB_KEYS.join(', ')}`;

export function readJobRequest(body: unknown): JobRequest {
  const fields = asObject(body);
  if (!('Job' in fields)) return { kind: 'fail', message: 'Please specify job' };
  const job = fields.Job;
  if (typeof job !== 'object' || job === null || Array.isArray(job)) return { kind: 'bad-request', message: JOB_OBJECT_NEEDED };
  if (!('Peer' in job) || !('Configuration' in job)) return { kind: 'fail', message: 'Please specify peer and configuration' };
  return { kind: 'job', job: job as Record<string, unknown> };
}

/** Upstream builds its PeerJob from all nine keys and crashes without one: the ones missing, in its order. */
export function missingJobKeys(job: Record<string, unknown>): string[] {
  return JOB_KEYS.filter((key) => !(key in job));
}

export function missingKeysMessage(missing: string[]): string {
  return `Please provide ${missing.join(', ')} in Job`;
}
