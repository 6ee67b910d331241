import { runInThisContext } from 'node:vm';

// Inside a Jest test `process` is a sandbox copy with its own event emitter: the real process never
// delivers 'exit' or signals to it. The host realm's global still holds the real one.
export const hostProcess = runInThisContext('process') as NodeJS.Process;
