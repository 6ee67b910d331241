/**
 * The bytes of Python 3.11 `json.dumps(value, sort_keys=True, separators=(',', ':'), ensure_ascii=True)`,
 * which is what WGDashboard's Flask sends (notes §1.2). JS cannot tell `0` from `0.0`, so Python's two
 * number types are explicit here:
 * - a plain `number` must be a safe integer and prints as a Python int (`5`);
 * - a float is wrapped, `pyFloat(5)`, and prints with Python's `repr(float)` (`5.0`, `1e-07`, `NaN`);
 * - a `bigint` prints as a Python int of any size (`18446744073709551615`).
 * Anything Python could not have produced throws `PythonJsonError` naming the path to the value.
 */

/** A number Python holds as a `float`. Only this prints as `0.0`; a plain `0` prints as the int `0`. */
export class PyFloat {
  constructor(readonly value: number) {}

  /** So that logs and `JSON.stringify` show the number, not `{"value":…}`. */
  toJSON(): number {
    return this.value;
  }
}

export function pyFloat(value: number): PyFloat {
  return new PyFloat(value);
}

/** A value that cannot be written as Python would write it; `path` is where it sits, e.g. `$.data[0].cumu_data`. */
export class PythonJsonError extends TypeError {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'PythonJsonError';
  }
}

/**
 * `json.dumps` as WGDashboard calls it, without Flask's trailing newline.
 *
 * `undefined` object values are left out (as `JSON.stringify` does), so optional fields such as a backup's
 * `database` can simply be absent; `undefined` anywhere else has no Python equivalent and throws.
 */
export function pythonJsonDumps(value: unknown): string {
  return write(value, '$', new Set());
}

function write(value: unknown, path: string, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return quotePythonString(value);
    case 'bigint':
      return value.toString();
    case 'number':
      return writeInt(value, path);
    case 'object':
      break;
    default:
      throw new PythonJsonError(path, `type ${typeof value} has no JSON form`);
  }
  if (value instanceof PyFloat) return formatPythonFloat(value.value);
  // Python raises "Circular reference detected"; without this check JS would overflow the stack.
  if (ancestors.has(value)) throw new PythonJsonError(path, 'circular reference');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return writeArray(value, path, ancestors);
    // Excludes Date, Map, Set, Error, Buffer…: each would otherwise print as `{}` or through its own toJSON.
    if (Object.prototype.toString.call(value) !== '[object Object]') {
      throw new PythonJsonError(path, `${value.constructor?.name ?? 'this object'} has no JSON form`);
    }
    return writeObject(value as Record<string, unknown>, path, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function writeInt(value: number, path: string): string {
  if (!Number.isInteger(value)) {
    // A fractional plain number means the caller forgot pyFloat(); the same field would print as an int
    // whenever its value happened to be whole, so refuse it rather than guess.
    throw new PythonJsonError(path, `${value} is not an integer; wrap floats with pyFloat()`);
  }
  if (!Number.isSafeInteger(value)) {
    throw new PythonJsonError(path, `${value} is beyond 2^53 and may have lost digits; pass a bigint`);
  }
  return String(value === 0 ? 0 : value); // -0 is the int 0
}

function writeArray(items: readonly unknown[], path: string, ancestors: Set<object>): string {
  const parts: string[] = [];
  for (let i = 0; i < items.length; i++) {
    parts.push(write(items[i], `${path}[${i}]`, ancestors));
  }
  return `[${parts.join(',')}]`;
}

function writeObject(record: Record<string, unknown>, path: string, ancestors: Set<object>): string {
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort(compareCodePoints);
  const parts = keys.map((key) => `${quotePythonString(key)}:${write(record[key], `${path}.${key}`, ancestors)}`);
  return `{${parts.join(',')}}`;
}

/**
 * Python orders str keys by code point. JS `<` compares UTF-16 code units, which would put an astral
 * character (a surrogate pair, D800–DFFF) before U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

// Python's ESCAPE_DCT: the five short escapes plus `"` and `\`; `/` is not escaped.
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

// Python's ESCAPE_ASCII is `([\\"]|[^\ -~])`: everything outside space..tilde, so DEL (0x7f) too. Without
// the `u` flag the class matches single UTF-16 code units, so an astral character comes out as its
// surrogate pair (`\ud83d\ude00`) exactly as Python writes it, and a lone surrogate as itself.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/g;

export function quotePythonString(text: string): string {
  const escaped = text.replace(
    NEEDS_ESCAPE,
    (char) => SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${escaped}"`;
}

/**
 * Python's `float.__repr__` as json.dumps uses it: the shortest digits that round-trip (the same digits
 * as JS `Number#toString`), laid out as Python does: positional with `.0` for whole values, exponent form
 * (`1e-07`, `1.5e+16`) when the exponent is below -4 or at least 16; `NaN`/`Infinity` as json.dumps writes them.
 */
export function formatPythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const { digits, exponent } = shortestDigits(Math.abs(value));
  if (exponent < -4 || exponent >= 16) {
    const mantissa = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    const exponentText = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${exponentText}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = exponent + 1;
  if (digits.length <= whole) return `${sign}${digits}${'0'.repeat(whole - digits.length)}.0`;
  return `${sign}${digits.slice(0, whole)}.${digits.slice(whole)}`;
}

/** `value` (positive, finite) = 0.d1d2d3… × 10^(exponent + 1), with no leading or trailing zero digits. */
function shortestDigits(value: number): { digits: string; exponent: number } {
  // Number#toString is specified to give the shortest round-trip digits, closest to the value on a tie,
  // like Python's repr; it writes them as "123.45", "0.000001" or "1.5e-7".
  const [mantissa, exponentText = '0'] = String(value).split('e');
  const [intPart, fracPart = ''] = mantissa.split('.');
  const all = intPart + fracPart;
  const leadingZeros = all.length - all.replace(/^0+/, '').length;
  const digits = all.slice(leadingZeros).replace(/0+$/, '');
  return { digits, exponent: intPart.length - leadingZeros - 1 + Number(exponentText) };
}
