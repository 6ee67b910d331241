import { canonicalJson, isValidIdempotencyKey, requestFingerprint } from './fingerprint.js';

describe('idempotency fingerprint', () => {
  it('ignores key order but not array order or values', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    const base = requestFingerprint('POST', '/api/wg/servers/1/users', { client_name: 'a', dns: ['1.1.1.1'] });
    expect(requestFingerprint('post', '/api/wg/servers/1/users', { dns: ['1.1.1.1'], client_name: 'a' })).toEqual(base);
    expect(requestFingerprint('POST', '/api/wg/servers/2/users', { client_name: 'a', dns: ['1.1.1.1'] })).not.toEqual(base);
    expect(requestFingerprint('POST', '/api/wg/servers/1/users', { client_name: 'b', dns: ['1.1.1.1'] })).not.toEqual(base);
  });

  it.each([
    ['a', true],
    ['x'.repeat(255), true],
    ['550e8400-e29b-41d4-a716-446655440000', true],
    ['', false],
    ['x'.repeat(256), false],
    ['has space', false],
    ['tab\t', false],
    ['café', false],
    [undefined, false],
  ])('key %j valid: %s', (key, valid) => {
    expect(isValidIdempotencyKey(key)).toBe(valid);
  });
});
