export { AuditModule } from './audit.module.js';
export { AuditService, type AuditActor, type AuditEvent } from './audit.service.js';
export { AuditEntryEntity } from './audit-entry.entity.js';
