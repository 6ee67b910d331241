import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface MasterKey {
  key: Buffer;
  /** 'MASTER_KEY' or the file it was read from or written to. */
  source: string;
  generated: boolean;
}

/**
 * MASTER_KEY (32 bytes, base64) when given. Otherwise the embedded default: a key generated
 * once into DATA_DIR/master-key (mode 0600) and reused. Losing that file loses every stored
 * private key, so the start says where it is.
 */
export function loadMasterKey(env: { MASTER_KEY?: string; DATA_DIR: string }): MasterKey {
  if (env.MASTER_KEY) return { key: Buffer.from(env.MASTER_KEY, 'base64'), source: 'MASTER_KEY', generated: false };
  const dir = resolve(env.DATA_DIR);
  const file = join(dir, 'master-key');
  try {
    return { key: Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'), source: file, generated: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key, source: file, generated: true };
}
