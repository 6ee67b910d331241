import { WireguardInputError } from '@wgfleet/wireguard';

// The bundle a node script reads on stdin, version 2: named, length-prefixed sections.
//
//   wgfleet-bundle 2\n
//   <name> <byte length>\n<exactly that many bytes>     (once per section, in any order)
//   end\n
//
// A capability adds one entry to a section table (below for the encoder; the script's reader is
// generated from the same table), never a new fixed position. The script reads the header lines with
// `read` (byte by byte from a pipe) and each body with `head -c N` (never reads past N), so every
// section lands whole in its own private file, `$t/<name>`; a name outside the table, a section sent
// twice, a bad length, a short body, data after `end` or a missing required section stops the script
// before it touches anything.

export const BUNDLE_MAGIC = 'wgfleet-bundle';
export const BUNDLE_VERSION = 2;

/** Section names are file names in the script's temp dir and words in a `case`: keep them plain. */
const SECTION_NAME = /^[a-z][a-z0-9]{0,15}$/;
/** Up to 9 digits, no leading zero: below 1 GB, and never read as octal by anything. */
const MAX_LENGTH_DIGITS = 9;
/** More header lines than any table has: a stream of bogus sections ends the loop. */
const MAX_SECTIONS = 32;

export interface BundleSection<Input> {
  name: string;
  /** A required section must be in every bundle; an optional one may be left out (null from render). */
  required: boolean;
  /** The section's bytes, validated and canonical; null leaves an optional section out. Throws WireguardInputError. */
  render: (input: Input) => string | null;
}

export type BundleTable<Input> = ReadonlyArray<BundleSection<Input>>;

function checkTable(table: ReadonlyArray<{ name: string }>): void {
  const seen = new Set<string>();
  for (const { name } of table) {
    if (!SECTION_NAME.test(name) || name === 'end' || seen.has(name)) throw new Error(`bundle: bad section name ${name}`);
    seen.add(name);
  }
  if (table.length >= MAX_SECTIONS) throw new Error('bundle: too many sections');
}

/** Every section of `table` rendered from `input`, framed as above. */
export function encodeBundle<Input>(table: BundleTable<Input>, input: Input): Buffer {
  checkTable(table);
  const parts = [Buffer.from(`${BUNDLE_MAGIC} ${BUNDLE_VERSION}\n`, 'utf8')];
  for (const { name, required, render } of table) {
    const text = render(input);
    if (text === null) {
      if (required) throw new Error(`bundle: section ${name} is required`);
      continue;
    }
    const body = Buffer.from(text, 'utf8');
    if (String(body.length).length > MAX_LENGTH_DIGITS) throw new WireguardInputError(name, `${name} is too large to push`);
    parts.push(Buffer.from(`${name} ${body.length}\n`, 'utf8'), body);
  }
  parts.push(Buffer.from('end\n', 'utf8'));
  return Buffer.concat(parts);
}

/**
 * sh that defines `read_bundle`: reads the bundle from stdin into `$t/<name>` files, checking everything
 * the header says. Needs `$t` (a private temp dir) and `fail` (message to stderr, exit 2).
 */
export function bundleReaderLines(table: ReadonlyArray<{ name: string; required: boolean }>): string[] {
  checkTable(table);
  const names = table.map((s) => s.name);
  const required = table.filter((s) => s.required).map((s) => s.name);
  return [
    'read_bundle() {',
    '  IFS= read -r head || fail "no bundle on stdin"',
    `  [ "$head" = "${BUNDLE_MAGIC} ${BUNDLE_VERSION}" ] || fail "not a version ${BUNDLE_VERSION} bundle"`,
    '  n=0',
    '  while :; do',
    `    [ "$n" -lt ${MAX_SECTIONS} ] || fail "too many bundle sections"`,
    '    n=$((n + 1))',
    '    IFS=" " read -r name len rest || fail "bundle truncated"',
    '    [ -z "$rest" ] || fail "bad bundle section header"',
    '    case $name in',
    '      end) [ -z "$len" ] || fail "bad bundle end"; break ;;',
    ...(names.length > 0 ? [`      ${names.join('|')}) ;;`] : []),
    '      *) fail "unknown bundle section" ;;',
    '    esac',
    `    case $len in ""|0?*|*[!0-9]*|${'?'.repeat(MAX_LENGTH_DIGITS + 1)}*) fail "bad length of bundle section $name" ;; esac`,
    '    [ ! -e "$t/$name" ] || fail "bundle section $name twice"',
    '    head -c "$len" >"$t/$name"',
    '    [ "$(($(wc -c <"$t/$name")))" -eq "$len" ] || fail "bundle truncated in $name"',
    '  done',
    '  [ "$(head -c 1 | wc -c)" -eq 0 ] || fail "data after the end of the bundle"',
    ...required.map((name) => `  [ -e "$t/${name}" ] || fail "bundle has no ${name} section"`),
    '}',
  ];
}
