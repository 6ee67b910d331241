import { pythonStrRepr } from './python-repr.js';

describe('pythonStrRepr', () => {
  // Each right-hand side is what Python 3.11.7 printed for repr(left).
  it.each([
    ['abc', "'abc'"],
    ["it's", `"it's"`],
    [`a"b'c`, `'a"b\\'c'`],
    ['\n\t\\x', "'\\n\\t\\\\x'"],
    ['\u0000\u007f\u0085\u00a0\u00e9\u200b\u{1f600} ', "'\\x00\\x7f\\x85\\xa0\u00e9\\u200b\u{1f600} '"],
    ['', "''"],
  ])('%j → %s', (text, repr) => {
    expect(pythonStrRepr(text)).toBe(repr);
  });
});
