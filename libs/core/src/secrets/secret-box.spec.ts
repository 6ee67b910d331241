import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMasterKey } from './master-key.js';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));
  const secret = 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=';

  it('opens what it sealed, with a fresh nonce each time', () => {
    const a = box.seal(secret, 'wg_user.private_key:1');
    const b = box.seal(secret, 'wg_user.private_key:1');
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from(secret))).toBe(false);
    expect(box.open(a, 'wg_user.private_key:1')).toBe(secret);
  });

  it.each([
    ['another context', (sealed: Buffer) => box.open(sealed, 'wg_user.private_key:2')],
    ['another master key', (sealed: Buffer) => new SecretBox(randomBytes(32)).open(sealed, 'wg_user.private_key:1')],
    ['a flipped byte', (sealed: Buffer) => box.open(Buffer.concat([sealed.subarray(0, 20), Buffer.from([sealed[20] ^ 1]), sealed.subarray(21)]), 'wg_user.private_key:1')],
    ['a truncated value', (sealed: Buffer) => box.open(sealed.subarray(0, 10), 'wg_user.private_key:1')],
  ])('refuses %s without revealing anything', (_label, open) => {
    const sealed = box.seal(secret, 'wg_user.private_key:1');
    expect(() => open(sealed)).toThrow(/stored secret/);
  });

  it('rejects a master key that is not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow('32 bytes');
  });
});

describe('loadMasterKey', () => {
  it('generates a key file with mode 0600 once and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wgfleet-key-'));
    try {
      const first = loadMasterKey({ DATA_DIR: dir });
      expect(first.generated).toBe(true);
      expect(first.key).toHaveLength(32);
      expect(statSync(join(dir, 'master-key')).mode & 0o777).toBe(0o600);
      const second = loadMasterKey({ DATA_DIR: dir });
      expect(second.generated).toBe(false);
      expect(second.key.equals(first.key)).toBe(true);
      expect(readFileSync(join(dir, 'master-key'), 'utf8').trim()).toBe(first.key.toString('base64'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prefers MASTER_KEY', () => {
    const key = randomBytes(32);
    expect(loadMasterKey({ DATA_DIR: '/nonexistent', MASTER_KEY: key.toString('base64') })).toEqual({ key, source: 'MASTER_KEY', generated: false });
  });
});
