import { syncStateOf } from './sync-state.js';

describe('syncStateOf', () => {
  const at = new Date('2026-11-23T10:00:00.000Z');
  it.each([
    [{ desiredGeneration: 3, appliedGeneration: 3, lastError: null, lastAppliedAt: at }, 'in_sync'],
    [{ desiredGeneration: 4, appliedGeneration: 3, lastError: null, lastAppliedAt: at }, 'pending'],
    [{ desiredGeneration: 4, appliedGeneration: 3, lastError: 'node unreachable', lastAppliedAt: at }, 'error'],
    [{ desiredGeneration: 1, appliedGeneration: 0, lastError: null, lastAppliedAt: null }, 'pending'],
    // A stale error once caught up does not make the server look broken.
    [{ desiredGeneration: 2, appliedGeneration: 2, lastError: 'old', lastAppliedAt: at }, 'in_sync'],
  ])('%o is %s', (server, state) => {
    expect(syncStateOf(server).state).toBe(state);
  });

  it('gives the generations and times in the contract shape', () => {
    expect(syncStateOf({ desiredGeneration: 5, appliedGeneration: 2, lastError: 'x', lastAppliedAt: at })).toEqual({
      state: 'error',
      desired_generation: 5,
      applied_generation: 2,
      last_error: 'x',
      last_applied_at: '2026-11-23T10:00:00.000Z',
    });
  });
});
