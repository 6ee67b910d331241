export { ResellersModule } from './resellers.module.js';
export { ResellersService, type DelegationInput } from './resellers.service.js';
export { CreateCustomerDto, CreateDelegationDto, toDelegationDto, type DelegationDto } from './resellers.dto.js';
