// The reconciler's own account of its pushes: one info line per SSH push when it ends, `apply done` or
// `apply failed`, with its generation, peers and durationMs (libs/node-sync/src/reconciler.service.ts).
// Counting those lines counts pushes; a push's start is its end minus its duration.

const timeOf = (line) => (typeof line.time === 'number' ? line.time : Date.parse(line.time));

/** Every finished push of `serverId` the log shows so far: `{ generation, peers, startedAt, doneAt, durationMs, failed }`. */
export function pushesOf(logs, serverId) {
  const pushes = [];
  for (const line of logs.all()) {
    if (line.serverId !== serverId || (line.msg !== 'apply done' && line.msg !== 'apply failed')) continue;
    const doneAt = timeOf(line);
    pushes.push({
      generation: line.generation,
      peers: line.peers,
      startedAt: doneAt - line.durationMs,
      doneAt,
      durationMs: line.durationMs,
      failed: line.msg === 'apply failed',
    });
  }
  return pushes;
}

/** The first finished push of `serverId` started at `since` or later that carried `generation` or a later one. */
export function pushCarrying(logs, serverId, generation, since = 0) {
  return pushesOf(logs, serverId).find((push) => push.startedAt >= since && push.generation >= generation && !push.failed) ?? null;
}
