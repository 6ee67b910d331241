export { PortForwardsModule } from './port-forwards.module.js';
export { PortForwardsService, type CreatePortForwardInput } from './port-forwards.service.js';
export { PortForwardEntity, PortClaimEntity, type ForwardProtocol } from './port-forward.entity.js';
export { CreatePortForwardDto, toPortForwardDto, type PortForwardDto } from './port-forwards.dto.js';
