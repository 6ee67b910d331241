import { parseLocalDateTime } from '../python-time.js';
import { formatPythonFloat } from '../python-json.js';
import type { WgdPeerUsage } from '../wgd-traffic.js';

/** The keys upstream reads from `Job` (a missing one is its 500), in its order. */
export const JOB_KEYS = ['JobID', 'Configuration', 'Peer', 'Field', 'Operator', 'Value', 'CreationDate', 'ExpireDate', 'Action'] as const;

export const JOB_FIELDS = ['total_receive', 'total_sent', 'total_data', 'date'] as const;
export const JOB_OPERATORS = ['eq', 'neq', 'lgt', 'lst'] as const;
/** 4.2.x has no `reset`: its runner raises on anything but these two. */
export const JOB_ACTIONS = ['restrict', 'delete'] as const;

export type JobField = (typeof JOB_FIELDS)[number];
export type JobOperator = (typeof JOB_OPERATORS)[number];
export type JobAction = (typeof JOB_ACTIONS)[number];

/** What a job checks and does; `value` is the text upstream stores and shows. */
export interface JobCondition {
  field: JobField;
  operator: JobOperator;
  value: string;
  action: JobAction;
}

/** A stored job, as upstream serialises it (§1.8.5) once its configuration's name is known. */
export interface StoredJob extends JobCondition {
  jobId: string;
  peer: string;
  creationDate: string;
  expireDate: string | null;
}

export const MAX_JOB_ID_LENGTH = 255;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * The job's id and condition, checked. Upstream stores any text and its scheduler thread dies on
 * the first job it cannot evaluate; here such a job is refused when it is saved.
 */
export function checkJob(job: Record<string, unknown>): Checked<{ jobId: string; condition: JobCondition }> {
  const { JobID: jobId, Field: field, Operator: operator, Value: rawValue, Action: action } = job;
  if (typeof jobId !== 'string' || jobId === '' || jobId.length > MAX_JOB_ID_LENGTH) {
    return { ok: false, message: `JobID must be a text of 1 to ${MAX_JOB_ID_LENGTH} characters` };
  }
  if (!isOneOf(JOB_FIELDS, field)) return { ok: false, message: `Field must be one of ${JOB_FIELDS.join(', ')}` };
  if (!isOneOf(JOB_OPERATORS, operator)) return { ok: false, message: `Operator must be one of ${JOB_OPERATORS.join(', ')}` };
  const value = valueText(rawValue);
  if (field === 'date') {
    if (value === null || parseLocalDateTime(value) === null) return { ok: false, message: 'Value must be a date and time as YYYY-MM-DD HH:MM:SS when Field is date' };
  } else if (value === null || gigabytes(value) === null) {
    return { ok: false, message: `Value must be a number of GB when Field is ${field}` };
  }
  if (!isOneOf(JOB_ACTIONS, action)) return { ok: false, message: `Action must be one of ${JOB_ACTIONS.join(', ')}` };
  return { ok: true, value: { jobId, condition: { field, operator, value, action } } };
}

/**
 * Whether the job's condition holds: data fields compare `total_X + cumu_X` (GB) with the value
 * (upstream's `float(Value)`); `date` compares the local time now with the value. False for a value
 * that cannot be read (never saved by checkJob; kept harmless for rows from elsewhere).
 */
export function jobIsDue(condition: JobCondition, usage: WgdPeerUsage, now: Date): boolean {
  let x: number;
  let y: number | null;
  if (condition.field === 'date') {
    x = now.getTime();
    y = parseLocalDateTime(condition.value)?.getTime() ?? null;
  } else {
    const side = condition.field.slice('total_'.length) as 'receive' | 'sent' | 'data';
    x = usage[`total_${side}`] + usage[`cumu_${side}`];
    y = gigabytes(condition.value);
  }
  if (y === null) return false;
  switch (condition.operator) {
    case 'eq':
      return x === y;
    case 'neq':
      return x !== y;
    case 'lgt':
      return x > y;
    case 'lst':
      return x < y;
    default:
      return false;
  }
}

/** Upstream's `PeerJob.toJson()`. */
export function jobJson(job: StoredJob, configurationName: string): Record<string, unknown> {
  return {
    Action: job.action,
    Configuration: configurationName,
    CreationDate: job.creationDate,
    ExpireDate: job.expireDate,
    Field: job.field,
    JobID: job.jobId,
    Operator: job.operator,
    Peer: job.peer,
    Value: job.value,
  };
}

/** Upstream's log texts, word for word (typos included). */
export const jobMessages = {
  created: (c: JobCondition) => `Job is created if ${c.field} ${c.operator} ${c.value} then ${c.action}`,
  updated: (from: JobCondition, to: JobCondition) =>
    `Job is updated from if ${from.field} ${from.operator} ${from.value} then ${from.action}; to if ${to.field} ${to.operator} ${to.value} then ${to.action}`,
  removed: () => 'Job is removed due to being deleted or finshed.',
  acted: (peer: string, configurationName: string, action: string) => `Peer ${peer} from ${configurationName} is successfully ${action}ed.`,
  failed: (peer: string, configurationName: string, action: string) => `Peer ${peer} from ${configurationName} failed ${action}ed.`,
  notFound: (peer: string, configurationName: string, action: string) => `Somehow can't find this peer ${peer} from ${configurationName} failed ${action}ed.`,
};

/** A Python float literal as `float()` reads it (no underscores, no inf or nan), or null. */
export function gigabytes(text: string): number | null {
  const trimmed = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return null;
  const number = Number(trimmed);
  return Number.isFinite(number) ? number : null;
}

/**
 * The text upstream keeps for a Value: its SQLite column is text, so a JSON number is stored as
 * Python prints it. Anything else is not a value a job can use.
 */
function valueText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return Number.isInteger(value) ? String(value) : formatPythonFloat(value);
  return null;
}

function isOneOf<T extends string>(options: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (options as readonly string[]).includes(value);
}
