import type { NodeToolOutput } from '@wgfleet/node-sync';

/** How a diagnostic that produced no result went wrong, read from its exit status and stderr. */
export type ToolFailure = { kind: 'unknown-host' } | { kind: 'failed'; detail: string };

// glibc's getaddrinfo texts (ping prints them, traceroute too before its "Cannot handle" line).
const RESOLUTION_FAILED = /Name or service not known|Temporary failure in name resolution|No address associated with hostname|Cannot handle "host" cmdline arg|unknown host/i;

const MAX_DETAIL = 200;

/** The last non-empty stderr line, at most 200 characters: these commands never see key material. */
function lastLine(stderr: string): string {
  const line = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '').at(-1) ?? '';
  return line.length > MAX_DETAIL ? `${line.slice(0, MAX_DETAIL - 1)}…` : line;
}

export function toolFailure(output: NodeToolOutput): ToolFailure {
  if (RESOLUTION_FAILED.test(output.stderr)) return { kind: 'unknown-host' };
  if (output.exitCode === 124 || output.exitCode === 137) return { kind: 'failed', detail: 'timed out on the node' };
  if (output.exitCode === 127) return { kind: 'failed', detail: 'the command is not installed on the node' };
  const line = lastLine(output.stderr);
  const how = output.exitCode === null ? 'was killed' : `exited ${output.exitCode}`;
  return { kind: 'failed', detail: line === '' ? how : `${how}: ${line}` };
}
