import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

export type PrincipalKind = 'admin' | 'reseller' | 'customer';

/** Who is calling: the account behind the API key that authenticated the request. */
export interface Principal {
  accountId: number;
  kind: PrincipalKind;
  /** The reseller of a reseller's customer. */
  parentId: number | null;
  /** Null for the CLI: an operator's command on the server, not a call with an API key. */
  apiKeyId: number | null;
  sourceIp: string;
}

export const PUBLIC_ROUTE = 'wgfleet:public-route';
export const ADMIN_ONLY = 'wgfleet:admin-only';

/** The route needs no API key (health, docs). Every other route does. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Only admin keys may call the route; others get 403. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});
