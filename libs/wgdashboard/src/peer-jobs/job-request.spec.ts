import { JOB_OBJECT_NEEDED, missingJobKeys, missingKeysMessage, readJobRequest } from './job-request.js';

describe('readJobRequest', () => {
  it.each([
    ['no Job', {}],
    ['a body that is not an object', [1, 2]],
    ['a null body', null],
  ])('answers upstream’s "Please specify job" for %s', (_, body) => {
    expect(readJobRequest(body)).toEqual({ kind: 'fail', message: 'Please specify job' });
  });

  it.each([
    ['null', null],
    ['a list', []],
    ['a text', 'job'],
  ])('is a 400 naming what to send when Job is %s (upstream: a 500)', (_, Job) => {
    expect(readJobRequest({ Job })).toEqual({ kind: 'bad-request', message: JOB_OBJECT_NEEDED });
    expect(JOB_OBJECT_NEEDED).toBe('Please provide Job as an object with JobID, Configuration, Peer, Field, Operator, Value, CreationDate, ExpireDate, Action');
  });

  it.each([{ Configuration: 'wg0' }, { Peer: 'x' }, {}])('needs Peer and Configuration: %j', (Job) => {
    expect(readJobRequest({ Job })).toEqual({ kind: 'fail', message: 'Please specify peer and configuration' });
  });

  it('hands on the Job', () => {
    const Job = { Peer: 'p', Configuration: 'wg0' };
    expect(readJobRequest({ Job })).toEqual({ kind: 'job', job: Job });
  });
});

describe('missingJobKeys', () => {
  it('lists the keys upstream needs that are missing, in its order', () => {
    const missing = missingJobKeys({ Peer: 'p', Configuration: 'wg0', Value: '1', JobID: 'j' });
    expect(missing).toEqual(['Field', 'Operator', 'CreationDate', 'ExpireDate', 'Action']);
    expect(missingKeysMessage(missing)).toBe('Please provide Field, Operator, CreationDate, ExpireDate, Action in Job');
  });

  it('counts a key sent as null as present (upstream reads it)', () => {
    expect(missingJobKeys({ JobID: 'j', Configuration: 'c', Peer: 'p', Field: 'f', Operator: 'o', Value: 'v', CreationDate: '', ExpireDate: null, Action: 'a' })).toEqual([]);
  });
});
