import { randomBytes } from 'node:crypto';

/** A share link as upstream serialises it (notes §1.8.4). */
export interface WgdShareLinkJson {
  Configuration: string;
  ExpireDate: string | null;
  Peer: string;
  ShareID: string;
}

const SHARE_ID_BYTES = 16;
const SHARE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A new ShareID: upstream's uuid4 shape (clients treat it as opaque, some may check the shape), but
 * all 128 bits random — a uuid4 fixes 6 of them — since the ID alone opens a peer's private key.
 */
export function newShareId(random: (size: number) => Buffer = randomBytes): string {
  const hex = random(SHARE_ID_BYTES).toString('hex');
  if (hex.length !== SHARE_ID_BYTES * 2) throw new Error('a ShareID needs 16 random bytes');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether `value` could be a ShareID we issued: anything else is unknown without asking Postgres. */
export function isShareIdShape(value: unknown): value is string {
  return typeof value === 'string' && SHARE_ID.test(value);
}

// SQLite's NUMERIC affinity (upstream's DATETIME column) stores a well-formed integer or real
// literal, surrounding white space allowed, as a number, and a number sorts before every text.
const SQLITE_NUMBER = /^[ \t\n\v\f\r]*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[ \t\n\v\f\r]*$/;

/**
 * Upstream's `ExpireDate IS NULL OR ExpireDate > datetime('now','localtime')`: `now` is
 * "YYYY-MM-DD HH:MM:SS" in local time, and texts compare byte by byte in UTF-8 (SQLite's BINARY
 * collation), so any text the client sent counts, however it is written. A date the client wrote
 * as a number is never active, as there.
 */
export function isShareLinkActive(expireDate: string | null, now: string): boolean {
  if (expireDate === null) return true;
  if (SQLITE_NUMBER.test(expireDate)) return false;
  return Buffer.compare(Buffer.from(expireDate, 'utf8'), Buffer.from(now, 'utf8')) > 0;
}

// NUL and unpaired surrogates: Postgres text cannot hold them (upstream's sqlite3 raises on the latter).
const UNSTORABLE = /[\u0000\p{Cs}]/u;

export type ExpireDateInput = { ok: true; value: string | null } | { ok: false; message: string };

/**
 * The body's `ExpireDate`: missing or null never expires, a text is kept exactly as sent. Other
 * JSON values (upstream stores numbers as never-active links and crashes on lists) and texts
 * Postgres cannot hold (NUL, lone surrogates) are refused.
 */
export function readExpireDate(value: unknown): ExpireDateInput {
  if (value === undefined || value === null) return { ok: true, value: null };
  if (typeof value === 'string' && !UNSTORABLE.test(value)) return { ok: true, value };
  return { ok: false, message: 'Please provide ExpireDate as a text "YYYY-MM-DD HH:MM:SS" (local time) or null' };
}

/** The link object, keys in upstream's (sorted) order. */
export function toShareLinkJson(link: { shareId: string; expireDate: string | null }, configuration: string, peer: string): WgdShareLinkJson {
  return { Configuration: configuration, ExpireDate: link.expireDate, Peer: peer, ShareID: link.shareId };
}
