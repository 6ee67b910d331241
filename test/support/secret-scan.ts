/** `wg_` + 46 base62 characters: the API key format of libs/accounts/src/api-key-format.ts. */
const API_KEY = /wg_[A-Za-z0-9]{46}/;

/**
 * The lines (with what was found) that hold a secret: any wgfleet API key, any PEM/OpenSSH
 * private key block, or one of the `known` values (keys made in the run, tokens, passwords).
 */
export function findSecrets(lines: Iterable<string>, known: readonly string[]): Array<{ line: string; found: string }> {
  const hits: Array<{ line: string; found: string }> = [];
  for (const line of lines) {
    const apiKey = API_KEY.exec(line);
    if (apiKey) hits.push({ line, found: 'an API key' });
    if (line.includes('PRIVATE KEY')) hits.push({ line, found: 'a PRIVATE KEY block' });
    for (const value of known) if (line.includes(value)) hits.push({ line, found: `a secret made in the run (${value.slice(0, 4)}…)` });
  }
  return hits;
}
