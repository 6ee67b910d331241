import { isIP } from 'node:net';

/**
 * TRUST_PROXY: the balancers whose `X-Forwarded-For` names the client, as comma-separated addresses
 * or CIDRs. Behind one, the per-IP limit of failed logins, the audit log and a key's last-used
 * address see the client instead of the balancer.
 */
export function parseTrustedProxies(text: string): string[] | null {
  const items = text.split(',').map((item) => item.trim());
  return items.every(isAddressOrCidr) ? items : null;
}

function isAddressOrCidr(item: string): boolean {
  const [address, prefix, ...rest] = item.split('/');
  if (rest.length > 0 || address === undefined) return false;
  const version = isIP(address);
  if (version === 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}
