/**
 * Hostile inputs, as raw request parts, for any route: pure generators (no HTTP here). A body is
 * JSON text, so values JSON.stringify cannot write (1e400, -0, 5,000 levels of nesting) are sent
 * as they would arrive from a hostile client.
 */

/** `mbps`: a rate in Mbit/s, a number from 0.1 to 10000 with at most three decimals. */
export type FieldKind = 'string' | 'int' | 'bool' | 'strings' | 'ints' | 'object' | 'date' | 'mbps';

export interface FieldSpec {
  kind: FieldKind;
  /** null means something for this field (unlimited, the default): not a hostile value here. */
  nullable?: boolean;
  /** 0 is a valid value, so -0 (which is 0) is not hostile here. */
  zeroOk?: boolean;
  /** A deliberately multi-line text (a config file, an e-mail body): line breaks are not hostile. */
  multiLine?: boolean;
}

export interface HostileCase {
  label: string;
  /**
   * Refused whatever the route (a body or URL the parser or the URL check refuses). A field value of
   * the wrong type, with a line break or oversize is refused by the portal's validation; the
   * WGDashboard API answers those as upstream does (which may be a success: its booleans are
   * Python truthiness).
   */
  everywhere: boolean;
  /** A URL Fastify's router refuses before any route is matched: answered as problem+json whatever the path. */
  unrouted?: boolean;
  /** Path with the query string, percent-encoded as sent. */
  url: string;
  /** JSON text, or undefined for no body. */
  body?: string;
}

export const DEEP_LEVELS = 5_000;
const deepArray = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const LONG = 'x'.repeat(10_000);

/** Raw JSON texts of hostile values for one kind of field, labelled. */
export function hostileValues(spec: FieldSpec): Array<[string, string]> {
  const values: Array<[string, string]> = [];
  const add = (label: string, raw: string) => values.push([label, raw]);
  if (!spec.nullable) add('null', 'null');
  add(`nested ${DEEP_LEVELS} deep`, deepArray(DEEP_LEVELS));
  add('an object', '{"a":1}');
  switch (spec.kind) {
    case 'string':
    case 'date':
      add('a number', '12345');
      add('true', 'true');
      add('an array', '["a"]');
      add('a NUL', '"a\\u0000b"');
      if (!spec.multiLine) {
        add('a line break', '"a\\nb"');
        add('a CR LF', '"a\\r\\nb"');
        add('a line separator', '"a\\u2028b"');
      }
      add('10,000 characters', JSON.stringify(LONG));
      break;
    case 'int':
      add('a numeric string', '"443"');
      add('a fraction', '1.5');
      add('true', 'true');
      add('an array', '[1]');
      add('1e400 (Infinity)', '1e400');
      add('2^64', '18446744073709551616');
      add('1e300', '1e300');
      add('-1', '-1');
      if (!spec.zeroOk) add('-0', '-0');
      add('a NUL string', '"\\u0000"');
      break;
    case 'mbps':
      add('a numeric string', '"8"');
      add('true', 'true');
      add('an array', '[8]');
      add('1e400 (Infinity)', '1e400');
      add('1e300', '1e300');
      add('-1', '-1');
      add('0', '0');
      add('-0', '-0');
      add('below 0.1', '0.05');
      add('four decimals', '1.0001');
      add('above 10000', '10000.5');
      break;
    case 'bool':
      add('a string', '"true"');
      add('a number', '1');
      add('an array', '[true]');
      break;
    case 'strings':
      add('a string', spec.multiLine ? '"a"' : '"1.1.1.1\\n"');
      add('a number array', '[12345]');
      add('a NUL entry', '["a\\u0000b"]');
      if (!spec.multiLine) add('a line break entry', '["1.1.1.1\\nPostUp = sh"]');
      add('3,000 entries', JSON.stringify(Array.from({ length: 3_000 }, (_, i) => `10.${i >> 8}.${i & 255}.1`)));
      add('a 10,000-character entry', JSON.stringify([LONG]));
      add('true', 'true');
      break;
    case 'ints':
      add('a number', '1');
      add('a fraction entry', '[1.5]');
      add('a string entry', '["1"]');
      add('an Infinity entry', '[1e400]');
      add('5,000 entries', JSON.stringify(Array.from({ length: 5_000 }, (_, i) => i + 1)));
      add('true', 'true');
      break;
    case 'object':
      add('a string', '"x"');
      add('a number', '12');
      add('an array', '[]');
      add('true', 'true');
      break;
  }
  return values;
}

const MARKER = '@@hostile-value@@';

/** `base` with the field at `path` (dotted, one level of nesting) set to the raw JSON text. */
export function bodyWith(base: Record<string, unknown>, path: string, raw: string): string {
  const copy = structuredClone(base);
  const [head, ...rest] = path.split('.');
  if (rest.length === 0) copy[head] = MARKER;
  else copy[head] = { ...((copy[head] as Record<string, unknown>) ?? {}), [rest.join('.')]: MARKER };
  return JSON.stringify(copy).replace(JSON.stringify(MARKER), () => raw);
}

/** Bodies that are not a JSON object, too deep, or with a NUL in a key: for every route that parses a body. */
export function structuralBodyCases(url: string, base: Record<string, unknown>, method: string): HostileCase[] {
  const sample = JSON.stringify(base);
  // A DELETE labelled JSON with nothing in it is a request without a body (many clients label every request).
  const empty: Array<[string, string]> = method === 'DELETE' ? [] : [['an empty body', '']];
  return [
    ...empty,
    ['a null body', 'null'],
    ['a number body', '42'],
    ['a string body', '"text"'],
    ['an array body', '[]'],
    ['an array holding the valid body', `[${sample}]`],
    ['a true body', 'true'],
    [`a body nested ${DEEP_LEVELS} deep`, deepArray(DEEP_LEVELS)],
    [`an object nested ${DEEP_LEVELS} deep`, '{"a":'.repeat(DEEP_LEVELS) + '1' + '}'.repeat(DEEP_LEVELS)],
    ['a NUL in a key', JSON.stringify({ ...base, 'a\u0000b': 1 })],
    ['a NUL in a nested key', JSON.stringify({ ...base, extra: { 'k\u0000': 'v' } })],
    ['malformed JSON', sample.slice(0, -1)],
  ].map(([label, body]) => ({ label, url, body, everywhere: true }));
}

/** Every hostile value of every field, the rest of the body valid. */
export function fieldCases(url: string, base: Record<string, unknown>, fields: Record<string, FieldSpec>): HostileCase[] {
  return Object.entries(fields).flatMap(([path, spec]) =>
    hostileValues(spec).map(([label, raw]) => ({
      label: `${path}: ${label}`,
      url,
      body: bodyWith(base, path, raw),
      everywhere: raw.includes('\\u0000') || raw.startsWith('[[['),
    })),
  );
}

/** Hostile path parameters (each `:name` in turn) and query values (each known name in turn). */
export function urlCases(template: string, params: Record<string, string>, query: Record<string, string>, options: { paramsMayBeAnyText?: boolean; caughtByWildcard?: boolean } = {}): HostileCase[] {
  const fill = (overrides: Record<string, string>) => template.replace(/:(\w+)|\*/g, (_m, name: string | undefined) => (name ? (overrides[name] ?? params[name]) : ''));
  const queryString = (overrides: Record<string, string>) => {
    const entries = Object.entries({ ...query, ...overrides });
    return entries.length === 0 ? '' : `?${entries.map(([k, v]) => `${k}=${v}`).join('&')}`;
  };
  const cases: HostileCase[] = [];
  for (const name of Object.keys(params)) {
    const hostile: Array<[string, string]> = [
      ['a NUL', '1%00'],
      ['only a NUL', '%00'],
      ['malformed percent-encoding', 'a%zz'],
      ['3,000 characters', 'x'.repeat(3_000)],
    ];
    if (!options.paramsMayBeAnyText) {
      hostile.push(['a 30-digit id', '9'.repeat(30)], ['1e3', '1e3'], ['-0', '-0'], ['a line break', '1%0A']);
    }
    for (const [label, value] of hostile) cases.push({
        label: `path :${name}: ${label}`,
        url: fill({ [name]: value }) + queryString({}),
        everywhere: value.includes('%00') || value.includes('%zz') || value.length > 100,
        // An overlong segment is refused by the router only where no wildcard takes it: under `/api/`
        // the WGDashboard API's catch-all does, and answers it in that API's format.
        unrouted: value.includes('%zz') || (value.length > 100 && !options.caughtByWildcard),
      });
  }
  // A route that reads no query ignores an unknown parameter: only a NUL (refused for every URL) is hostile there.
  if (Object.keys(query).length === 0) {
    cases.push({ label: 'query q: a NUL', url: `${fill({})}?q=a%00b`, everywhere: true }, { label: 'query: a NUL name', url: `${fill({})}?%00=1`, everywhere: true });
    return cases;
  }
  for (const name of Object.keys(query)) {
    const hostile: Array<[string, string]> = [
      ['a NUL', 'a%00b'],
      ['only a NUL', '%00'],
      ['a line break', 'a%0Ab'],
      ['3,000 characters', 'x'.repeat(3_000)],
    ];
    // A number where the parameter holds one (an id, a limit); in a name, digits are just text.
    if (/^[0-9]+$/.test(query[name])) hostile.push(['1e400', '1e400'], ['a 30-digit number', '9'.repeat(30)], ['2^64', '18446744073709551616'], ['-0', '-0']);
    for (const [label, value] of hostile) {
      cases.push({ label: `query ${name}: ${label}`, url: fill({}) + queryString({ [name]: value }), everywhere: value.includes('%00') });
    }
    const repeated = `${name}=${query[name] ?? '1'}&${name}=${query[name] ?? '1'}`;
    cases.push({ label: `query ${name}: repeated`, url: `${fill({})}${queryString({})}&${repeated}`, everywhere: false });
  }
  return cases;
}
