import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { generateKeyPair } from '@wgfleet/wireguard';

let counter = 0;

export interface TestUser {
  id: number;
  clientName: string;
  ipv4: string;
}

/**
 * A WireGuard user written straight into `wg_user` (the users API has its own tests): for tests
 * of routes that need a user to work on. Takes the next address after the highest one in use.
 */
export async function makeUser(
  app: NestFastifyApplication,
  assignmentId: number,
  options: { clientName?: string } = {},
): Promise<TestUser> {
  const clientName = options.clientName ?? `user-${++counter}-${process.pid}`;
  const [row] = await app.get(DataSource).query(
    `INSERT INTO wg_user (server_id, assignment_id, client_name, public_key, ipv4, allowed_ips, persistent_keepalive)
     SELECT a.server_id, a.id, $2, $3,
            coalesce((SELECT max(u.ipv4) FROM wg_user u WHERE u.server_id = a.server_id),
                     set_masklen(s.ipv4_subnet::inet, 32) + 1) + 1,
            ARRAY['0.0.0.0/0', '::/0'], 25
       FROM assignment a JOIN server s ON s.id = a.server_id
      WHERE a.id = $1
     RETURNING id, host(ipv4) AS ipv4`,
    [assignmentId, clientName, generateKeyPair().publicKey],
  );
  if (!row) throw new Error(`assignment ${assignmentId} does not exist`);
  return { id: Number(row.id), clientName, ipv4: row.ipv4 };
}
