import { bearerMatches } from './metrics-token.js';

const TOKEN = 'metrics-token-0123456789abcdef';

describe('bearerMatches', () => {
  it.each([
    [`Bearer ${TOKEN}`, true],
    [`bearer ${TOKEN}`, true],
    [`Bearer  ${TOKEN}`, true],
    [`Bearer ${TOKEN}x`, false],
    [`Bearer ${TOKEN.slice(0, -1)}`, false],
    [`Basic ${TOKEN}`, false],
    [TOKEN, false],
    ['Bearer ', false],
    ['', false],
    [undefined, false],
  ])('%j → %s', (header, expected) => {
    expect(bearerMatches(header, TOKEN)).toBe(expected);
  });

  it('refuses an empty bearer even against an empty expected value', () => {
    expect(bearerMatches('Bearer', '')).toBe(false);
    expect(bearerMatches(undefined, '')).toBe(false);
  });
});
