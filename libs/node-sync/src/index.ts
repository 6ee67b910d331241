export {
  HostKeyMismatchError,
  InterfaceMissingError,
  NodeCommandError,
  NodeDriver,
  NodeUnreachableError,
  type DesiredServerState,
  type NodeTarget,
} from './node-driver.js';
