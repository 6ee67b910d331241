import type { EntityManager } from 'typeorm';
import { AppError } from '@wgfleet/core';
import { clientAddressRange, formatIp, parseIp } from '@wgfleet/wireguard';

/**
 * The lowest client address of `subnet` that no user of the server holds, found where the addresses
 * are: the first gap in the server's (server_id, ip) unique index, read in order until that gap
 * (perf-ceilings §5, B3), instead of every address loaded and scanned here. The range and its rules
 * (not the network, broadcast or server address) are the core's. Callers hold the server row lock.
 */
export async function lowestFreeAddress(manager: EntityManager, serverId: number, column: 'ipv4' | 'ipv6', subnet: string): Promise<string> {
  const range = clientAddressRange(subnet);
  const family = column === 'ipv4' ? 'IPv4' : 'IPv6';
  if (range === null) throw new AppError('server_full', `the server has no free ${family} address: ${subnet} has no room for clients`);
  const rows: Array<{ address: string }> = await manager.query(
    `SELECT host(candidate) AS address FROM (
        SELECT $2::inet AS candidate WHERE NOT EXISTS (SELECT 1 FROM wg_user WHERE server_id = $1 AND ${column} = $2::inet)
        UNION ALL
        (SELECT ip + 1 FROM (
            SELECT ${column} AS ip, lead(${column}) OVER (ORDER BY ${column}) AS next
              FROM wg_user WHERE server_id = $1 AND ${column} >= $2::inet AND ${column} <= $3::inet) used
          WHERE next IS NULL OR next <> ip + 1
          ORDER BY ip LIMIT 1)
      ) free WHERE candidate <= $3::inet ORDER BY candidate LIMIT 1`,
    [serverId, range.first, range.last],
  );
  if (rows.length === 0) throw new AppError('server_full', `the server has no free ${family} address: ${range.exhaustedMessage}`);
  // The core's spelling of the address (RFC 5952 for IPv6), as everywhere else.
  return formatIp(parseIp(rows[0]!.address, column));
}
