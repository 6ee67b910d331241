export {
  HostKeyMismatchError,
  InterfaceMissingError,
  NodeCommandError,
  NodeDriver,
  NodeUnreachableError,
  type DesiredServerState,
  type InterfaceCounterSamples,
  type NodeTarget,
  type NodeToolOutput,
} from './node-driver.js';
export { isValidProbeCount, PROBE_COUNT, probeTarget } from './probe-target.js';
export { DesiredStateReader, type DesiredSnapshot } from './desired-state.reader.js';
export { ReconcilerOptions, DEFAULT_RECONCILER_OPTIONS, reconcilerOptions } from './reconciler-options.js';
export { Reconciler } from './reconciler.service.js';
export { PushObserver, type PushFailureReason, type PushReport } from './push-observer.js';
export { RECONCILE_CHANNEL } from './reconcile-channel.js';
export { INTERFACE_LOCK_NAMESPACE, RECONCILE_LOCK_NAMESPACE, syncLockKeys, type SyncLock } from './sync-locks.js';
export { NodeSyncModule } from './node-sync.module.js';
export { FakeNodeDriver, type FakeFailure, type FakePeerTraffic, type RecordedApply } from './testing/fake-node-driver.js';
export { StatusPoller } from './status-poller.js';
export { PollClaims, POLL_CLAIM_INTERVALS } from './poll-claims.js';
export { InterfaceRemover } from './interface-remover.js';
export { PlanSweeper } from './plan-sweeper.js';
