/** Marks the start of one section of the node's system snapshot (the driver's SYSTEM_SNAPSHOT_SCRIPT). */
const MARK = /^@@wgfleet ([a-z0-9]+)$/;

/** `@@wgfleet <name>` blocks → name → text. A section the node did not print is absent. */
export function snapshotSections(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  let name: string | null = null;
  let lines: string[] = [];
  for (const line of text.split('\n')) {
    const mark = MARK.exec(line);
    if (mark === null) {
      if (name !== null) lines.push(line);
      continue;
    }
    if (name !== null) sections.set(name, lines.join('\n'));
    name = mark[1]!;
    lines = [];
  }
  if (name !== null) sections.set(name, lines.join('\n'));
  return sections;
}

/** A counter as Python holds it: any size. Plain number while exact, bigint beyond 2^53. */
export function pyInt(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}
