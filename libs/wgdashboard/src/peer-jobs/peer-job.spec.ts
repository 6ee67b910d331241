import type { WgdPeerUsage } from '../wgd-traffic.js';
import { checkJob, gigabytes, jobIsDue, jobJson, jobMessages, type JobCondition } from './peer-job.js';

const job = (overrides: Record<string, unknown> = {}) => ({
  JobID: '11111111-2222-4333-8444-555555555555',
  Configuration: 'wg0',
  Peer: 'ivlShmfxape8YAyZWIEaxhr+Lq2qYhd0+S+AkPeF1So=',
  Field: 'total_data',
  Operator: 'lgt',
  Value: '100',
  CreationDate: '',
  ExpireDate: null,
  Action: 'restrict',
  ...overrides,
});

const usage = (overrides: Partial<WgdPeerUsage> = {}): WgdPeerUsage => ({
  total_receive: 0,
  total_sent: 0,
  total_data: 0,
  cumu_receive: 0,
  cumu_sent: 0,
  cumu_data: 0,
  ...overrides,
});

const condition = (overrides: Partial<JobCondition>): JobCondition => ({ field: 'total_data', operator: 'lgt', value: '1', action: 'restrict', ...overrides });

describe('checkJob', () => {
  it('takes the UI’s job as sent', () => {
    expect(checkJob(job())).toEqual({
      ok: true,
      value: { jobId: '11111111-2222-4333-8444-555555555555', condition: { field: 'total_data', operator: 'lgt', value: '100', action: 'restrict' } },
    });
  });

  it.each([
    ['total_receive', '0.5'],
    ['total_sent', ' 2 '],
    ['total_data', '1e3'],
    ['total_data', '-1'],
    ['total_data', '.5'],
    ['date', '2026-12-31 23:59:59'],
    ['date', '2026-1-5 3:04:05'],
  ])('accepts Field %s with Value %j', (field, value) => {
    expect(checkJob(job({ Field: field, Value: value })).ok).toBe(true);
  });

  it('stores a JSON number as Python prints it (its column is text)', () => {
    expect(checkJob(job({ Value: 100 }))).toMatchObject({ ok: true, value: { condition: { value: '100' } } });
    expect(checkJob(job({ Value: 1.5 }))).toMatchObject({ ok: true, value: { condition: { value: '1.5' } } });
    expect(checkJob(job({ Value: 1e-7 }))).toMatchObject({ ok: true, value: { condition: { value: '1e-07' } } });
  });

  it.each([
    ['JobID', { JobID: '' }, 'JobID must be a text of 1 to 255 characters'],
    ['JobID', { JobID: 7 }, 'JobID must be a text of 1 to 255 characters'],
    ['JobID', { JobID: 'x'.repeat(256) }, 'JobID must be a text of 1 to 255 characters'],
    ['Field', { Field: 'total_bytes' }, 'Field must be one of total_receive, total_sent, total_data, date'],
    ['Field', { Field: null }, 'Field must be one of total_receive, total_sent, total_data, date'],
    ['Operator', { Operator: 'gt' }, 'Operator must be one of eq, neq, lgt, lst'],
    ['Value', { Value: 'lots' }, 'Value must be a number of GB when Field is total_data'],
    ['Value', { Value: 'inf' }, 'Value must be a number of GB when Field is total_data'],
    ['Value', { Value: 'nan' }, 'Value must be a number of GB when Field is total_data'],
    ['Value', { Value: '1e999' }, 'Value must be a number of GB when Field is total_data'],
    ['Value', { Value: '' }, 'Value must be a number of GB when Field is total_data'],
    ['Value', { Value: '1_000' }, 'Value must be a number of GB when Field is total_data'],
    ['Value', { Value: true }, 'Value must be a number of GB when Field is total_data'],
    ['Value', { Value: null }, 'Value must be a number of GB when Field is total_data'],
    ['Value', { Field: 'date', Value: '2026-02-30 00:00:00' }, 'Value must be a date and time as YYYY-MM-DD HH:MM:SS when Field is date'],
    ['Value', { Field: 'date', Value: '2026-12-31' }, 'Value must be a date and time as YYYY-MM-DD HH:MM:SS when Field is date'],
    ['Value', { Field: 'date', Value: '2026-12-31T10:00:00' }, 'Value must be a date and time as YYYY-MM-DD HH:MM:SS when Field is date'],
    ['Value', { Field: 'date', Value: 20261231 }, 'Value must be a date and time as YYYY-MM-DD HH:MM:SS when Field is date'],
    ['Action', { Action: 'reset' }, 'Action must be one of restrict, delete'],
    ['Action', { Action: 'rm -rf /' }, 'Action must be one of restrict, delete'],
  ])('refuses a bad %s: %j', (_, overrides, message) => {
    expect(checkJob(job(overrides))).toEqual({ ok: false, message });
  });

  it('checks in upstream’s key order: JobID, Field, Operator, Value, Action', () => {
    expect(checkJob(job({ JobID: '', Field: 'x', Action: 'x' }))).toMatchObject({ message: expect.stringMatching(/^JobID/) });
    expect(checkJob(job({ Operator: 'x', Action: 'x' }))).toMatchObject({ message: expect.stringMatching(/^Operator/) });
    expect(checkJob(job({ Value: 'x', Action: 'x' }))).toMatchObject({ message: expect.stringMatching(/^Value/) });
  });
});

describe('jobIsDue', () => {
  it.each([
    ['lgt', 1.5, '1', true],
    ['lgt', 1, '1', false],
    ['lst', 0.5, '1', true],
    ['lst', 1, '1', false],
    ['eq', 1, '1.0', true],
    ['eq', 1.5, '1', false],
    ['neq', 1.5, '1', true],
    ['neq', 1, '1', false],
  ] as const)('%s: %d GB against %s', (operator, data, value, due) => {
    expect(jobIsDue(condition({ operator, value }), usage({ total_data: data }), new Date())).toBe(due);
  });

  it('adds what earlier runs of the interface counted (cumu_*) to this run’s (total_*)', () => {
    const over = usage({ total_receive: 0.75, cumu_receive: 0.5, total_sent: 3, cumu_sent: 3 });
    expect(jobIsDue(condition({ field: 'total_receive', value: '1' }), over, new Date())).toBe(true);
    expect(jobIsDue(condition({ field: 'total_receive', value: '1.25' }), over, new Date())).toBe(false);
    expect(jobIsDue(condition({ field: 'total_sent', value: '5.9' }), over, new Date())).toBe(true);
    expect(jobIsDue(condition({ field: 'total_data', value: '0.1' }), over, new Date())).toBe(false);
    expect(jobIsDue(condition({ field: 'total_data', value: '0.1' }), usage({ cumu_data: 0.2 }), new Date())).toBe(true);
  });

  it('reads the value with surrounding blanks and in exponent form, as float() does', () => {
    expect(jobIsDue(condition({ value: ' 1e-1 ' }), usage({ total_data: 0.2 }), new Date())).toBe(true);
  });

  it('compares the local time now with a date value', () => {
    const value = '2026-12-06 22:00:00';
    const before = new Date(2026, 11, 6, 21, 59, 59);
    const after = new Date(2026, 11, 6, 22, 0, 1);
    const at = new Date(2026, 11, 6, 22, 0, 0);
    expect(jobIsDue(condition({ field: 'date', operator: 'lgt', value }), usage(), after)).toBe(true);
    expect(jobIsDue(condition({ field: 'date', operator: 'lgt', value }), usage(), before)).toBe(false);
    expect(jobIsDue(condition({ field: 'date', operator: 'lst', value }), usage(), before)).toBe(true);
    expect(jobIsDue(condition({ field: 'date', operator: 'eq', value }), usage(), at)).toBe(true);
    // Upstream's now has microseconds: equal only to the instant.
    expect(jobIsDue(condition({ field: 'date', operator: 'eq', value }), usage(), new Date(at.getTime() + 1))).toBe(false);
    expect(jobIsDue(condition({ field: 'date', operator: 'neq', value }), usage(), after)).toBe(true);
  });

  it('is never due on a value it cannot read or an operator it does not know (rows from elsewhere)', () => {
    expect(jobIsDue(condition({ value: 'lots' }), usage({ total_data: 99 }), new Date())).toBe(false);
    expect(jobIsDue(condition({ field: 'date', value: 'tomorrow' }), usage(), new Date())).toBe(false);
    expect(jobIsDue(condition({ operator: 'gte' as never }), usage({ total_data: 99 }), new Date())).toBe(false);
  });
});

describe('gigabytes', () => {
  it.each([
    ['100', 100],
    ['+2.5', 2.5],
    ['5.', 5],
    ['1E2', 100],
    ['\t3\n', 3],
  ])('%j is %d', (text, value) => {
    expect(gigabytes(text)).toBe(value);
  });

  it.each(['', ' ', 'Infinity', '-inf', 'NaN', '0x10', '1,5', '1 000', '--1'])('%j is no number', (text) => {
    expect(gigabytes(text)).toBeNull();
  });
});

describe('upstream’s texts', () => {
  const restrictOver100 = condition({ value: '100' });

  it('serialises a job as PeerJob.toJson', () => {
    expect(
      jobJson({ ...restrictOver100, jobId: 'j', peer: 'P=', creationDate: '2026-11-23 22:40:20', expireDate: null }, 'wg0'),
    ).toEqual({ Action: 'restrict', Configuration: 'wg0', CreationDate: '2026-11-23 22:40:20', ExpireDate: null, Field: 'total_data', JobID: 'j', Operator: 'lgt', Peer: 'P=', Value: '100' });
  });

  it('logs as upstream, typos included', () => {
    expect(jobMessages.created(restrictOver100)).toBe('Job is created if total_data lgt 100 then restrict');
    expect(jobMessages.updated(restrictOver100, { ...restrictOver100, value: '200' })).toBe(
      'Job is updated from if total_data lgt 100 then restrict; to if total_data lgt 200 then restrict',
    );
    expect(jobMessages.removed()).toBe('Job is removed due to being deleted or finshed.');
    expect(jobMessages.acted('P=', 'wg0', 'delete')).toBe('Peer P= from wg0 is successfully deleteed.');
    expect(jobMessages.acted('P=', 'wg0', 'restrict')).toBe('Peer P= from wg0 is successfully restricted.');
    expect(jobMessages.failed('P=', 'wg0', 'restrict')).toBe('Peer P= from wg0 failed restricted.');
    expect(jobMessages.notFound('P=', 'wg0', 'delete')).toBe("Somehow can't find this peer P= from wg0 failed deleteed.");
  });
});
