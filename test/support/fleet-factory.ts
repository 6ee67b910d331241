import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { SecretBox } from '@wgfleet/core';
import { generateKeyPair } from '@wgfleet/wireguard';

let counter = 0;

export interface TestServer {
  nodeId: number;
  serverId: number;
  publicKey: string;
  publicIpv4: string;
}

/**
 * A local node with one server, written straight to the tables (the admin API has its own
 * tests): for tests of the customer routes that need a server to work on.
 */
export async function makeServer(
  app: NestFastifyApplication,
  options: { ipv4Subnet?: string; ipv6Subnet?: string | null; forwardRange?: [number, number]; reservedPorts?: number[]; listenPort?: number } = {},
): Promise<TestServer> {
  const dataSource = app.get(DataSource);
  const box = app.get(SecretBox);
  const n = ++counter;
  // A distinct public address per test server, so port claims of different tests never meet.
  const publicIpv4 = `198.51.${(process.pid % 200) + 1}.${(n % 250) + 1}`;
  const [node] = await dataSource.query(
    `INSERT INTO node (name, transport, public_ipv4) VALUES ($1, 'local', $2) RETURNING id`,
    [`test-node-${process.pid}-${n}-${Date.now()}`, publicIpv4],
  );
  const keys = generateKeyPair();
  const [server] = await dataSource.query(
    `INSERT INTO server (node_id, name, location, interface, listen_port, private_key_enc, public_key, ipv4_subnet, ipv6_subnet,
                         dns, mtu, forward_port_min, forward_port_max, reserved_ports)
     VALUES ($1, $2, 'Test', 'wg0', $3, $4, $5, $6, $7, $8, 1420, $9, $10, $11) RETURNING id`,
    [
      node.id,
      `server-${n}`,
      options.listenPort ?? 51820,
      box.seal(keys.privateKey, `server.private_key:${keys.publicKey}`),
      keys.publicKey,
      options.ipv4Subnet ?? '10.8.0.0/24',
      options.ipv6Subnet === undefined ? 'fd42:66:1::/64' : options.ipv6Subnet,
      ['1.1.1.1'],
      options.forwardRange?.[0] ?? 1,
      options.forwardRange?.[1] ?? 65535,
      options.reservedPorts ?? [],
    ],
  );
  return { nodeId: Number(node.id), serverId: Number(server.id), publicKey: keys.publicKey, publicIpv4 };
}

/** Lends a server to an account; returns the assignment id (the `{id}` of /api/wg/servers/{id}). */
export async function assign(
  app: NestFastifyApplication,
  serverId: number,
  accountId: number,
  quotas: { maxUsers?: number | null; maxPortForwards?: number | null; parentAssignmentId?: number | null } = {},
): Promise<number> {
  const [row] = await app.get(DataSource).query(
    `INSERT INTO assignment (server_id, account_id, max_users, max_port_forwards, parent_assignment_id)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [serverId, accountId, quotas.maxUsers ?? null, quotas.maxPortForwards ?? null, quotas.parentAssignmentId ?? null],
  );
  return Number(row.id);
}
