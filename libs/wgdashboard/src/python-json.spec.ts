import { compareCodePoints, formatPythonFloat, pyFloat, PythonJsonError, pythonJsonDumps } from './python-json.js';

// Every expected string below was printed once by Python 3.11.2:
// json.dumps(value, sort_keys=True, separators=(',', ':'), ensure_ascii=True). Python is not needed to run these tests.

describe('pythonJsonDumps: floats print as Python repr(float)', () => {
  it.each([
    ['0.0', pyFloat(0.0), '0.0'],
    ['-0.0', pyFloat(-0.0), '-0.0'],
    ['1.0', pyFloat(1.0), '1.0'],
    ['5.0', pyFloat(5.0), '5.0'],
    ['100.0', pyFloat(100.0), '100.0'],
    ['0.1', pyFloat(0.1), '0.1'],
    ['-2.5', pyFloat(-2.5), '-2.5'],
    ['0.1 + 0.2', pyFloat(0.1 + 0.2), '0.30000000000000004'],
    ['1 / 3', pyFloat(1 / 3), '0.3333333333333333'],
    ['0.0001', pyFloat(0.0001), '0.0001'],
    ['0.00012345', pyFloat(0.00012345), '0.00012345'],
    ['1e-05', pyFloat(1e-05), '1e-05'],
    ['1e-07', pyFloat(1e-07), '1e-07'],
    ['-1.5e-10', pyFloat(-1.5e-10), '-1.5e-10'],
    ['123456789.123', pyFloat(123456789.123), '123456789.123'],
    ['9999999999999998.0', pyFloat(9999999999999998.0), '9999999999999998.0'],
    ['2 ** 53', pyFloat(2 ** 53), '9007199254740992.0'],
    ['1e16', pyFloat(1e16), '1e+16'],
    ['1.5e16', pyFloat(1.5e16), '1.5e+16'],
    ['123456789012345678.0', pyFloat(123456789012345678.0), '1.2345678901234568e+17'],
    ['1e22', pyFloat(1e22), '1e+22'],
    ['1.7976931348623157e308', pyFloat(1.7976931348623157e308), '1.7976931348623157e+308'],
    ['2.5e-310', pyFloat(2.5e-310), '2.5e-310'],
    ['5e-324', pyFloat(5e-324), '5e-324'],
    ['1234567 / 1024 ** 3', pyFloat(1234567 / 1024 ** 3), '0.0011497801169753075'],
    ['Infinity', pyFloat(Infinity), 'Infinity'],
    ['-Infinity', pyFloat(-Infinity), '-Infinity'],
    ['NaN', pyFloat(NaN), 'NaN'],
  ])('%s → %s', (_source, value, expected) => {
    expect(pythonJsonDumps(value)).toBe(expected);
    expect(formatPythonFloat(value.value)).toBe(expected);
  });
});

describe('pythonJsonDumps: ints', () => {
  it.each<[string, number | bigint, string]>([
    ['0', 0, '0'],
    ['-0', -0, '0'],
    ['-1', -1, '-1'],
    ['Number.MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER, '9007199254740991'],
    ['18446744073709551615n', 18446744073709551615n, '18446744073709551615'],
    ['-(2n ** 70n)', -(2n ** 70n), '-1180591620717411303424'],
    ['0n', 0n, '0'],
  ])('%s → %s', (_source, value, expected) => {
    expect(pythonJsonDumps(value)).toBe(expected);
  });

  it('prints a whole number as an int and the same number wrapped as a float', () => {
    expect(pythonJsonDumps([0, pyFloat(0), 5, pyFloat(5)])).toBe('[0,0.0,5,5.0]');
  });

  it.each([
    ['a fractional plain number', 0.5, /0\.5 is not an integer; wrap floats with pyFloat\(\)/],
    ['NaN as a plain number', NaN, /NaN is not an integer/],
    ['Infinity as a plain number', Infinity, /Infinity is not an integer/],
    ['an unsafe integer', 2 ** 53, /beyond 2\^53.*pass a bigint/],
  ])('refuses %s', (_case, value, message) => {
    expect(() => pythonJsonDumps(value)).toThrow(message);
  });
});

describe('pythonJsonDumps: strings are ASCII-only with Python escapes', () => {
  it.each([
    ['é', '"\\u00e9"'],
    ['中文', '"\\u4e2d\\u6587"'],
    ['😀', '"\\ud83d\\ude00"'],
    ['\u2028\u2029', '"\\u2028\\u2029"'],
    ['\u0000\u0001\u001f\u007f\u0080', '"\\u0000\\u0001\\u001f\\u007f\\u0080"'],
    ['\b\f\n\r\t', '"\\b\\f\\n\\r\\t"'],
    ['say "hi" \\ back', '"say \\"hi\\" \\\\ back"'],
    ['a/b </script>', '"a/b </script>"'],
    [' ~', '" ~"'],
    ['\ufeff\uffff', '"\\ufeff\\uffff"'],
    ['\ud800', '"\\ud800"'],
    ['', '""'],
  ])('%j → %s', (value, expected) => {
    expect(pythonJsonDumps(value)).toBe(expected);
  });
});

describe('pythonJsonDumps: containers', () => {
  it('sorts keys by code point: digits, upper case, "_", lower case, then non-ASCII, astral last', () => {
    const value = { b: 1, a: 2, B: 3, A: 4, _: 5, é: 6, Z: 7, aa: 8, '': 9, '😀': 10, '\uffff': 11, '\ue000': 12, 'a b': 13, '10': 14, '9': 15 };
    expect(pythonJsonDumps(value)).toBe(
      '{"":9,"10":14,"9":15,"A":4,"B":3,"Z":7,"_":5,"a":2,"a b":13,"aa":8,"b":1,"\\u00e9":6,"\\ue000":12,"\\uffff":11,"\\ud83d\\ude00":10}',
    );
  });

  it('sorts every nesting level and keeps array order', () => {
    const value = { z: { y: [{ b: true, a: null }], x: {} }, a: [[], {}, null, false, 's', 1, pyFloat(1)] };
    expect(pythonJsonDumps(value)).toBe('{"a":[[],{},null,false,"s",1,1.0],"z":{"x":{},"y":[{"a":null,"b":true}]}}');
  });

  it('writes empty containers', () => {
    expect(pythonJsonDumps([{}, [], '', [[]], [{}]])).toBe('[{},[],"",[[]],[{}]]');
  });

  it('leaves out object values that are undefined', () => {
    expect(pythonJsonDumps({ filename: 'wg0_1.conf', database: undefined })).toBe('{"filename":"wg0_1.conf"}');
  });

  it('writes a class instance by its own fields', () => {
    class Share {
      ShareID = 'id';
      ExpireDate = null;
    }
    expect(pythonJsonDumps(new Share())).toBe('{"ExpireDate":null,"ShareID":"id"}');
  });

  it.each([
    ['undefined at the top', undefined, /^\$: type undefined has no JSON form/],
    ['undefined in an array', { list: [1, undefined] }, /^\$\.list\[1\]: type undefined has no JSON form/],
    ['a fractional number deep inside', { data: [{ cumu_data: 0.25 }] }, /^\$\.data\[0\]\.cumu_data: 0\.25 is not an integer/],
    ['a Date', new Date(0), /: Date has no JSON form/],
    ['a Map', new Map(), /: Map has no JSON form/],
    ['an Error', new Error('boom'), /: Error has no JSON form/],
    ['a Buffer', Buffer.from('x'), /: Buffer has no JSON form/],
    ['a function', () => 1, /type function has no JSON form/],
    ['a symbol', Symbol('s'), /type symbol has no JSON form/],
  ])('refuses %s', (_case, value, message) => {
    expect(() => pythonJsonDumps(value)).toThrow(PythonJsonError);
    expect(() => pythonJsonDumps(value)).toThrow(message);
  });

  it('refuses a circular reference, as Python does', () => {
    const value: Record<string, unknown> = {};
    value.self = value;
    expect(() => pythonJsonDumps(value)).toThrow(/^\$\.self: circular reference/);
  });

  it('writes the same object twice when it is shared but not circular', () => {
    const shared = { a: 1 };
    expect(pythonJsonDumps([shared, shared])).toBe('[{"a":1},{"a":1}]');
  });
});

describe('compareCodePoints', () => {
  it.each([
    ['A', 'a', -1],
    ['a', 'aa', -1],
    ['\uffff', '😀', -1],
    ['😀', '\ue000', 1],
    ['x', 'x', 0],
  ])('%j vs %j → %d', (a, b, sign) => {
    expect(Math.sign(compareCodePoints(a, b))).toBe(sign);
  });
});
