import type { WgdRequest } from './wgd-auth.guard.js';
import type { WgdAuditActor } from './wgd-api-keys.service.js';

/** Who acts, for the audit log: no account, the WGDashboard key the request used. */
export function actorOf(request: WgdRequest): WgdAuditActor {
  return { accountId: null, apiKeyId: null, sourceIp: request.ip, wgdKeyId: request.wgdGrant!.keyId };
}

/** A JSON body that is not an object (upstream: a 500) reads as an empty one: every field is missing. */
export function asObject(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
