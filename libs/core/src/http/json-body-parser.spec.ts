import { nestsDeeperThan, nulFieldOf } from './json-body-parser.js';

describe('nestsDeeperThan', () => {
  it('counts nested objects and arrays, the limit itself allowed', () => {
    expect(nestsDeeperThan('{"a":[{"b":[]}]}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":[[]]}]}', 4)).toBe(true);
    expect(nestsDeeperThan('[]'.repeat(1000), 1)).toBe(false);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(JSON.stringify({ a: '[[[[[[{{{{{', b: 'say \\"[[[[" ok' }), 1)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\\\"}', 1)).toBe(false); // an escaped backslash ends the string at its quote
    expect(nestsDeeperThan('{"a":"\\\\","b":[[]]}', 2)).toBe(true);
  });

  it('scans a million levels without recursion', () => {
    expect(nestsDeeperThan('['.repeat(1_000_000) + ']'.repeat(1_000_000), 32)).toBe(true);
  });
});

describe('nulFieldOf', () => {
  it('names the field holding a NUL, in a string, a nested key or an array entry', () => {
    expect(nulFieldOf({ a: 'ok', b: 'x\u0000' })).toBe('b');
    expect(nulFieldOf({ a: { 'k\u0000': 1 } })).toBe('a.k\\u0000');
    expect(nulFieldOf({ dns: ['1.1.1.1', '\u0000'] })).toBe('dns[1]');
    expect(nulFieldOf({ a: 'fine', b: [1, true, null, { c: 'also fine' }] })).toBeNull();
  });

  it('shows a key with control characters escaped and cut short', () => {
    const shown = nulFieldOf({ ['\n'.repeat(200) + '\u0000']: 1 })!;
    expect(shown).toBe(`${'\\u000a'.repeat(17).slice(0, 100)}…`);
  });

  it('walks a structure far deeper than the stack without recursion', () => {
    let deep: unknown = 'end\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(nulFieldOf({ deep: deep as object })).toBe(`${`deep${'[0]'.repeat(40)}`.slice(0, 100)}…`);
  });
});
