import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SECRET_LENGTH = 40;
const CHECKSUM_LENGTH = 6;
export const API_KEY_PATTERN = /^wg_[A-Za-z0-9]{46}$/;
export const API_KEY_LENGTH = 3 + SECRET_LENGTH + CHECKSUM_LENGTH;

/**
 * `wg_` + 40 random base62 characters (≈238 bits) + the CRC32 of those 40 as 6 base62
 * characters. The checksum lets a malformed or mistyped key be refused before any database
 * query, and lets secret scanners recognise a leaked key offline.
 */
export function generateApiKey(): string {
  let secret = '';
  while (secret.length < SECRET_LENGTH) {
    for (const byte of randomBytes(64)) {
      // 248 = 4 × 62: rejecting larger bytes keeps every character equally likely.
      if (byte < 248 && secret.length < SECRET_LENGTH) secret += BASE62[byte % 62];
    }
  }
  return `wg_${secret}${checksum(secret)}`;
}

/** Format and checksum only: cheap, and done before the key is hashed or looked up. */
export function isWellFormedApiKey(value: string): boolean {
  if (!API_KEY_PATTERN.test(value)) return false;
  const secret = value.slice(3, 3 + SECRET_LENGTH);
  return value.slice(3 + SECRET_LENGTH) === checksum(secret);
}

/** What is stored: a 200+ bit random secret needs no slow KDF, only a one-way hash. */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** What a key list shows instead of the secret. */
export function describeApiKey(key: string): { prefix: string; last4: string } {
  return { prefix: key.slice(0, 7), last4: key.slice(-4) };
}

function checksum(secret: string): string {
  let value = crc32(secret);
  let text = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    text = BASE62[value % 62] + text;
    value = Math.floor(value / 62);
  }
  return text;
}
