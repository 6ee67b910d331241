export { PeersModule } from './peers.module.js';
export { isTenantUser, PeersService, type TenantUser, type UserSecrets } from './peers.service.js';
export { ONLINE_WINDOW_SECONDS, PeerTelemetry, type PeerTraffic, type ServerObservation } from './peer-telemetry.js';
export { UserEntity, type ProvisioningState } from './user.entity.js';
export { OFFLINE, toLiveFieldsDto, toUserDto, type PeerLiveStatus, type UserDto } from './peers.dto.js';
export { ServerListFastPath } from './server-list-fast-path.js';
export { OperatorPeers, type AddressChoice, type InTransaction, type NewOperatorPeer, type OperatorPeerPatch } from './operator-peers.service.js';
