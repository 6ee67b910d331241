import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { WireguardInputError } from './errors.js';

export interface WgKeyPair {
  privateKey: string;
  publicKey: string;
}

const KEY_BYTES = 32;
// DER headers of an X25519 key; the raw 32 bytes follow. JWK export would avoid them but deadlocks
// Node 20 under GC pressure (research/perf-ceilings.md §2).
const SPKI_X25519_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
// 32 bytes = 43 base64 characters + `=`; the 43rd carries 4 data bits and 2 zero bits, so only the
// characters whose index is a multiple of 4 are canonical there.
const CANONICAL_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export function isValidKey(value: unknown): boolean {
  return typeof value === 'string' && CANONICAL_KEY.test(value);
}

export function generateKeyPair(): WgKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return {
    privateKey: clampKeyBytes(rawKey(privateKey, 'pkcs8')).toString('base64'),
    publicKey: rawKey(publicKey, 'spki').toString('base64'),
  };
}

export function generatePresharedKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** Equals `wg pubkey`; X25519 clamps internally, so clamped and unclamped keys give the same result. */
export function publicKeyFromPrivate(privateKey: string): string {
  const raw = decodeKey(privateKey, 'privateKey');
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  return rawKey(createPublicKey(key), 'spki').toString('base64');
}

/** Stored clamped, so keys compare byte-for-byte with `wg genkey` output. */
export function clampPrivateKey(privateKey: string): string {
  return clampKeyBytes(decodeKey(privateKey, 'privateKey')).toString('base64');
}

function decodeKey(key: string, field: string): Buffer {
  if (!isValidKey(key)) {
    throw new WireguardInputError(field, `${field} must be a WireGuard key: 32 bytes in base64 (44 characters ending in "=")`);
  }
  return Buffer.from(key, 'base64');
}

function rawKey(key: KeyObject, type: 'pkcs8' | 'spki'): Buffer {
  const der = key.export({ type, format: 'der' });
  const prefix = type === 'pkcs8' ? PKCS8_X25519_PREFIX : SPKI_X25519_PREFIX;
  if (der.length !== prefix.length + KEY_BYTES || !der.subarray(0, prefix.length).equals(prefix)) {
    throw new Error(`unexpected ${type} DER encoding of an X25519 key`);
  }
  return der.subarray(prefix.length);
}

function clampKeyBytes(raw: Buffer): Buffer {
  const clamped = Buffer.from(raw);
  clamped[0] &= 248;
  clamped[31] &= 127;
  clamped[31] |= 64;
  return clamped;
}
