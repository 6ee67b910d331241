import { isShareIdShape, isShareLinkActive, newShareId, readExpireDate, toShareLinkJson } from './share-link.js';

describe('newShareId', () => {
  it('spells 16 random bytes in the uuid shape, every bit of them kept', () => {
    const bytes = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    let asked = 0;
    const id = newShareId((size) => {
      asked = size;
      return bytes;
    });
    expect(asked).toBe(16);
    expect(id).toBe('00112233-4455-6677-8899-aabbccddeeff');
    expect(id.replaceAll('-', '')).toBe(bytes.toString('hex'));
  });

  it('uses the system source: different each time, version and variant digits not fixed as a uuid4 would', () => {
    const ids = Array.from({ length: 64 }, () => newShareId());
    expect(new Set(ids).size).toBe(64);
    for (const id of ids) expect(isShareIdShape(id)).toBe(true);
    // A uuid4 always has "4" here; 64 random digits all being "4" has probability 16^-64.
    expect(new Set(ids.map((id) => id[14])).size).toBeGreaterThan(1);
    expect(new Set(ids.map((id) => id[19])).size).toBeGreaterThan(1);
  });

  it('refuses a source that gives fewer bytes', () => {
    expect(() => newShareId(() => Buffer.alloc(15))).toThrow();
  });
});

describe('isShareIdShape', () => {
  it.each([
    ['75cab33b-c766-4b1f-bb22-37ac862f318a', true],
    ['75CAB33B-C766-4B1F-BB22-37AC862F318A', false],
    ['75cab33b-c766-4b1f-bb22-37ac862f318a ', false],
    ['75cab33bc7664b1fbb2237ac862f318a', false],
    ['75cab33b-c766-4b1f-bb22-37ac862f318\u0000', false],
    ['', false],
    [42, false],
    [null, false],
  ])('%j → %s', (value, shaped) => {
    expect(isShareIdShape(value)).toBe(shaped);
  });
});

describe('isShareLinkActive (upstream: ExpireDate IS NULL OR ExpireDate > datetime("now","localtime"))', () => {
  const now = '2026-12-06 22:30:00';
  it.each([
    [null, true],
    ['2026-12-06 22:30:01', true],
    ['2099-12-31 23:59:59', true],
    ['2026-12-06 22:30:00', false],
    ['2026-12-06 22:29:59', false],
    ['2000-01-01 00:00:00', false],
    // Texts compare byte by byte, whatever they say.
    ['2026-12-7', true],
    ['tomorrow', true],
    ['', false],
    ['2026-12-06 22:30:00 ', true],
    ['2026-12-06', false],
    // SQLite's NUMERIC affinity turns number literals into numbers, which sort before any text.
    ['99999999', false],
    [' 3.5e10 ', false],
    ['-1', false],
    ['.5', false],
    ['1.', false],
  ])('%j → %s', (expireDate, active) => {
    expect(isShareLinkActive(expireDate, now)).toBe(active);
  });

  it('takes hexadecimal and half-written numbers as texts, as SQLite does', () => {
    expect(isShareLinkActive('0x10', '0')).toBe(true);
    expect(isShareLinkActive('1e', '1')).toBe(true);
    expect(isShareLinkActive('1e5', '1')).toBe(false);
  });

  it('orders by UTF-8 bytes where UTF-16 would disagree', () => {
    expect(isShareLinkActive('\u{1F600}', '\uff61')).toBe(true);
    expect(isShareLinkActive('\uff61', '\u{1F600}')).toBe(false);
  });
});

describe('readExpireDate', () => {
  it.each([
    [undefined, null],
    [null, null],
    ['2099-12-31 23:59:59', '2099-12-31 23:59:59'],
    ['whatever, as sent', 'whatever, as sent'],
    ['caf\u00e9 \u{1F600}', 'caf\u00e9 \u{1F600}'],
  ])('keeps %j as %j', (value, kept) => {
    expect(readExpireDate(value)).toEqual({ ok: true, value: kept });
  });

  it.each([[5], [true], [['2099-12-31 23:59:59']], [{}], ['2099\u0000'], ['\ud800'], ['x\udc00']])('refuses %j, saying what to send', (value) => {
    expect(readExpireDate(value)).toEqual({ ok: false, message: 'Please provide ExpireDate as a text "YYYY-MM-DD HH:MM:SS" (local time) or null' });
  });
});

describe('toShareLinkJson', () => {
  it('has upstream’s four keys', () => {
    expect(toShareLinkJson({ shareId: 'id', expireDate: null }, 'wg0', 'key=')).toEqual({ Configuration: 'wg0', ExpireDate: null, Peer: 'key=', ShareID: 'id' });
  });
});
