import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^bearer +(\S+)$/i;

/**
 * Whether `authorization` is `Bearer <token>`. Both sides are hashed first, so the comparison is
 * constant-time whatever the lengths (timingSafeEqual needs equal lengths; comparing lengths first
 * would tell an attacker the token's length).
 */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const given = typeof authorization === 'string' ? BEARER.exec(authorization)?.[1] : undefined;
  const expected = digest(token);
  // A missing token is still compared, so a refusal takes the same time either way.
  const matches = timingSafeEqual(digest(given ?? ''), expected);
  return given !== undefined && matches;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
