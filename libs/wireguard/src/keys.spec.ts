import { execFileSync } from 'node:child_process';
import { WireguardInputError } from './errors.js';
import { clampPrivateKey, generateKeyPair, generatePresharedKey, isValidKey, publicKeyFromPrivate } from './keys.js';

// RFC 7748 §6.1 (Alice), hex converted to base64.
const RFC_PRIVATE = 'dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=';
const RFC_PRIVATE_CLAMPED = 'cAdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LGo=';
const RFC_PUBLIC = 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=';
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function wgPubkey(privateKey: string): string {
  return execFileSync('wg', ['pubkey'], { input: `${privateKey}\n` }).toString().trim();
}

function isClamped(privateKey: string): boolean {
  const bytes = Buffer.from(privateKey, 'base64');
  return (bytes[0] & 7) === 0 && (bytes[31] & 0x80) === 0 && (bytes[31] & 0x40) !== 0;
}

const INVALID_KEYS: Array<[string, unknown]> = [
  ['43 characters (padding missing)', RFC_PRIVATE.slice(0, 43)],
  ['45 characters', `A${RFC_PRIVATE}`],
  ['url-safe base64 characters', RFC_PUBLIC.replace('/', '_')],
  ['a character outside base64', RFC_PRIVATE.replace('C', '!')],
  ['33 bytes (44 characters, no padding)', Buffer.alloc(33, 7).toString('base64')],
  ['31 bytes (44 characters, double padding)', Buffer.alloc(31, 7).toString('base64')],
  ['a non-canonical last character', `${RFC_PRIVATE.slice(0, 42)}p=`],
  ['surrounding whitespace', ` ${RFC_PRIVATE.slice(1)}`],
  ['a trailing newline', `${RFC_PRIVATE}\n`],
  ['the empty string', ''],
  ['a number', 42],
  ['null', null],
  ['undefined', undefined],
  ['a Buffer of 32 bytes', Buffer.alloc(32)],
];

describe('isValidKey', () => {
  it.each(INVALID_KEYS)('rejects %s', (_case, value) => {
    expect(isValidKey(value)).toBe(false);
  });

  it.each([
    ['the RFC 7748 private key', RFC_PRIVATE],
    ['the RFC 7748 public key', RFC_PUBLIC],
    ['the all-zero key', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['a generated preshared key', generatePresharedKey()],
  ])('accepts %s', (_case, value) => {
    expect(isValidKey(value)).toBe(true);
  });

  it('accepts exactly the 16 canonical last characters of all 64', () => {
    const variants = [...BASE64_ALPHABET].map((char) => `${RFC_PRIVATE.slice(0, 42)}${char}=`);
    expect(variants.filter((key) => isValidKey(key))).toHaveLength(16);
  });

  it('agrees with "decodes to 32 bytes and re-encodes to the same text" on random strings', () => {
    for (let i = 0; i < 2000; i++) {
      const body = Array.from({ length: 43 }, () => BASE64_ALPHABET[Math.floor(Math.random() * 64)]).join('');
      const candidate = `${body}=`;
      const decoded = Buffer.from(candidate, 'base64');
      const byDefinition = decoded.length === 32 && decoded.toString('base64') === candidate;
      expect([candidate, isValidKey(candidate)]).toEqual([candidate, byDefinition]);
    }
  });
});

describe('publicKeyFromPrivate', () => {
  it.each([
    ['the RFC 7748 private key as given', RFC_PRIVATE],
    ['the same key clamped', RFC_PRIVATE_CLAMPED],
  ])('derives the RFC 7748 public key from %s', (_case, privateKey) => {
    expect(publicKeyFromPrivate(privateKey)).toBe(RFC_PUBLIC);
  });

  it.each(INVALID_KEYS)('throws a WireguardInputError for %s', (_case, value) => {
    expect(() => publicKeyFromPrivate(value as string)).toThrow(
      expect.objectContaining({ name: 'WireguardInputError', field: 'privateKey' }),
    );
    expect(() => publicKeyFromPrivate(value as string)).toThrow(WireguardInputError);
  });
});

describe('clampPrivateKey', () => {
  it.each([
    ['clears the low 3 bits and the top bit, sets bit 254', RFC_PRIVATE, RFC_PRIVATE_CLAMPED],
    ['leaves a clamped key unchanged', RFC_PRIVATE_CLAMPED, RFC_PRIVATE_CLAMPED],
    ['clamps all-ones', Buffer.alloc(32, 0xff).toString('base64'), Buffer.from([0xf8, ...Buffer.alloc(30, 0xff), 0x7f]).toString('base64')],
  ])('%s', (_case, input, expected) => {
    expect(clampPrivateKey(input)).toBe(expected);
  });

  it('refuses an invalid key', () => {
    expect(() => clampPrivateKey('not-a-key')).toThrow(WireguardInputError);
  });
});

describe('generateKeyPair', () => {
  const pairs = Array.from({ length: 20 }, () => generateKeyPair());

  it.each(pairs.map((pair, index) => [index, pair] as const))('pair %i has the public key `wg pubkey` derives', (_index, pair) => {
    expect(wgPubkey(pair.privateKey)).toBe(pair.publicKey);
    expect(publicKeyFromPrivate(pair.privateKey)).toBe(pair.publicKey);
  });

  it('produces valid, clamped, distinct keys', () => {
    for (const pair of pairs) {
      expect([isValidKey(pair.privateKey), isValidKey(pair.publicKey), isClamped(pair.privateKey)]).toEqual([true, true, true]);
    }
    expect(new Set(pairs.flatMap((pair) => [pair.privateKey, pair.publicKey])).size).toBe(40);
  });

  it('stores private keys the way `wg genkey` does (clamped)', () => {
    const fromWg = execFileSync('wg', ['genkey']).toString().trim();
    expect(clampPrivateKey(fromWg)).toBe(fromWg);
  });
});

describe('generatePresharedKey', () => {
  it('gives distinct valid 32-byte keys', () => {
    const keys = Array.from({ length: 20 }, () => generatePresharedKey());
    expect(keys.every((key) => isValidKey(key))).toBe(true);
    expect(new Set(keys).size).toBe(20);
  });
});
