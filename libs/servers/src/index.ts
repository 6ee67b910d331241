export { ServersModule } from './servers.module.js';
export { FleetAccess, type AssignmentContext } from './fleet-access.service.js';
export { NodeEntity, type NodeTransport } from './node.entity.js';
export { ServerEntity } from './server.entity.js';
export { AssignmentEntity } from './assignment.entity.js';
export { syncStateOf, type SyncState, type SyncStateName } from './sync-state.js';
