/**
 * Python's `repr(str)`: single quotes unless the text holds `'` and no `"`; backslash escapes for
 * the quote, `\\`, `\t`, `\n`, `\r`; `\xNN`, `\uNNNN` or `\UNNNNNNNN` for what `str.isprintable()`
 * refuses. Upstream's `ipaddress` messages quote the rejected text this way.
 */
export function pythonStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    if (char === quote || char === '\\') out += `\\${char}`;
    else if (char === '\t') out += '\\t';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (NOT_PRINTABLE.test(char)) out += escapeCodePoint(char.codePointAt(0)!);
    else out += char;
  }
  return out + quote;
}

// Python's non-printable characters: categories Other and Separator, except the ASCII space.
const NOT_PRINTABLE = /^(?! )[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

function escapeCodePoint(code: number): string {
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}
