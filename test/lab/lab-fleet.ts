import type { NodeTarget } from '@wgfleet/node-sync';
import type { ApiClient } from './api-process-lab.js';
import type { LabNode } from './lab.js';
import { waitFor } from './api-lab.js';

/** Admin API steps the process-driven lab specs share: a customer of their own, and a lab node as an SSH node. */

/** POST /api/admin/nodes body for a lab node: SSH to its namespace, its host key pinned. */
export function labNodeRequest(labId: string, node: LabNode, purpose: string) {
  return {
    name: `lab-${labId}-${node.name}-${purpose}`,
    transport: 'ssh',
    public_ipv4: node.publicIp,
    ssh: { host: node.sshHost, port: node.sshPort, username: node.username, private_key: node.privateKey, host_key: node.hostKey },
  };
}

/** A customer account and one API key for it, made through the admin API as an operator would. */
export async function createCustomer(admin: ApiClient, name: string): Promise<{ id: number; key: string }> {
  const account = await admin.post('/api/admin/accounts', { name, kind: 'customer' });
  if (account.status !== 201) throw new Error(`creating customer ${name}: ${account.status} ${JSON.stringify(account.body)}`);
  const key = await admin.post(`/api/admin/accounts/${account.body.id}/api-keys`, { name: `${name} key` });
  if (key.status !== 201) throw new Error(`creating a key for ${name}: ${key.status} ${JSON.stringify(key.body)}`);
  return { id: account.body.id, key: key.body.key };
}

/** The server's sync state as the admin API reports it. */
export async function serverSync(admin: ApiClient, serverId: number): Promise<{ state: string; desired_generation: number; applied_generation: number; last_error: string | null; last_applied_at: string | null }> {
  const res = await admin.get(`/api/admin/servers/${serverId}`);
  if (res.status !== 200) throw new Error(`GET /api/admin/servers/${serverId}: ${res.status}`);
  return res.body.sync;
}

/**
 * The lab node as an SSH node with one IPv4 server (a /24 of 10.69.N: room for 253 clients) lent to
 * the customer with `maxUsers`, as an operator would add them; resolves once the empty server is in
 * sync on the node.
 */
export async function labServerFor(
  admin: ApiClient,
  labId: string,
  node: LabNode,
  options: { purpose: string; customerId: number; maxUsers: number; interfaceName: string; listenPort: number },
): Promise<{ serverId: number; assignmentId: number }> {
  const nodeRes = await admin.post('/api/admin/nodes', labNodeRequest(labId, node, options.purpose));
  if (nodeRes.status !== 201) throw new Error(`adding the lab node: ${nodeRes.status} ${JSON.stringify(nodeRes.body)}`);
  const serverRes = await admin.post(`/api/admin/nodes/${nodeRes.body.id}/servers`, {
    name: `${options.purpose} ${labId}`,
    location: 'Lab',
    interface: options.interfaceName,
    listen_port: options.listenPort,
    ipv4_subnet: `10.69.${node.number}.0/24`,
    mtu: 1420,
    endpoint_host: node.clientLinkIp,
  });
  if (serverRes.status !== 201) throw new Error(`adding the server: ${serverRes.status} ${JSON.stringify(serverRes.body)}`);
  const serverId = serverRes.body.id as number;
  const assignmentRes = await admin.post('/api/admin/assignments', { server_id: serverId, account_id: options.customerId, max_users: options.maxUsers });
  if (assignmentRes.status !== 201) throw new Error(`assigning the server: ${assignmentRes.status} ${JSON.stringify(assignmentRes.body)}`);
  await waitFor('the server in sync', async () => (await serverSync(admin, serverId)).state === 'in_sync', 20_000, 50);
  return { serverId, assignmentId: assignmentRes.body.id as number };
}

/** The lab node as the SSH driver reaches it (for specs that drive NodeDriver directly). */
export function sshTargetOf(node: LabNode): NodeTarget {
  return {
    nodeId: 1,
    name: node.name,
    transport: 'ssh',
    ssh: { host: node.sshHost, port: node.sshPort, username: node.username, privateKey: node.privateKey, hostKey: node.hostKey },
  };
}
