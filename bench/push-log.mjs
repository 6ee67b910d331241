// The reconciler's own account of its pushes: one `apply start` and one `apply done` (or `apply failed`)
// log line per SSH push (libs/node-sync/src/reconciler.service.ts). Counting those lines counts pushes.

/** Every push of `serverId` the log shows so far: `{ generation, peers, startedAt, doneAt, durationMs }`. */
export function pushesOf(logs, serverId) {
  const pushes = [];
  const open = [];
  for (const line of logs.all()) {
    if (line.serverId !== serverId) continue;
    if (line.msg === 'apply start') {
      const push = { generation: line.generation, peers: line.peers, startedAt: Date.parse(line.time), doneAt: null, durationMs: null, failed: false };
      pushes.push(push);
      open.push(push);
    } else if (line.msg === 'apply done' || line.msg === 'apply failed') {
      // One push at a time per server (the reconciler's loop and lock): the end belongs to the oldest open start.
      const push = open.shift();
      if (!push) continue;
      push.doneAt = Date.parse(line.time);
      push.durationMs = line.durationMs;
      push.failed = line.msg === 'apply failed';
    }
  }
  return pushes;
}

/** The first finished push of `serverId` started at `since` or later that carried `generation` or a later one. */
export function pushCarrying(logs, serverId, generation, since = 0) {
  return (
    pushesOf(logs, serverId).find((push) => push.startedAt >= since && push.generation >= generation && push.doneAt !== null && !push.failed) ?? null
  );
}
