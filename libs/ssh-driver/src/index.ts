export { LocalNodeDriver, type LocalNodeDriverOptions } from './local-node-driver.js';
export {
  APPLY_SCRIPT,
  DUMP_SCRIPT,
  encodeApplyBundle,
  redactKeys,
  renderTunnelRules,
  stderrSummary,
} from './push-script.js';
export { parsePinnedHostKey } from './ssh-connection.js';
export { SshNodeDriver, type SshNodeDriverOptions } from './ssh-node-driver.js';
export { TransportNodeDriver } from './transport-node-driver.js';
export { NodeDriverModule } from './node-driver.module.js';
