import { API_KEY_PATTERN, describeApiKey, generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key-format.js';

describe('API key format', () => {
  it('generates 49-character wg_ keys that pass their own checksum', () => {
    const keys = Array.from({ length: 200 }, generateApiKey);
    for (const key of keys) {
      expect(key).toMatch(API_KEY_PATTERN);
      expect(key).toHaveLength(49);
      expect(isWellFormedApiKey(key)).toBe(true);
    }
    expect(new Set(keys).size).toBe(200);
  });

  const valid = generateApiKey();
  const flip = (key: string, index: number) =>
    key.slice(0, index) + (key[index] === 'a' ? 'b' : 'a') + key.slice(index + 1);

  it.each([
    ['a changed secret character', flip(valid, 10)],
    ['a changed checksum character', flip(valid, 47)],
    ['one character short', valid.slice(0, 48)],
    ['one character long', `${valid}a`],
    ['another prefix', `wx_${valid.slice(3)}`],
    ['a non-base62 character', `${valid.slice(0, 20)}-${valid.slice(21)}`],
    ['surrounding space', ` ${valid}`],
    ['empty', ''],
  ])('refuses %s', (_label, key) => {
    expect(isWellFormedApiKey(key)).toBe(false);
  });

  it('hashes to 32 bytes, the same for the same key', () => {
    expect(hashApiKey(valid)).toHaveLength(32);
    expect(hashApiKey(valid).equals(hashApiKey(valid))).toBe(true);
    expect(hashApiKey(valid).equals(hashApiKey(generateApiKey()))).toBe(false);
  });

  it('describes a key by its first 7 and last 4 characters only', () => {
    expect(describeApiKey(valid)).toEqual({ prefix: valid.slice(0, 7), last4: valid.slice(45) });
  });
});
