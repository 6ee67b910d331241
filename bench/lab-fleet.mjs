// The fleet the convergence bench measures, made through the admin API as an operator would: the lab
// node registered as an `ssh` node (pinned host key), servers on it, a customer with a key and one
// unlimited assignment per server.

/** JSON requests with one API key; any status outside `expect` throws with the body. */
export function client(baseUrl, key) {
  const call = async (method, path, body, expect = [200, 201, 202]) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!expect.includes(response.status)) throw new Error(`${method} ${path} → ${response.status}: ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : null;
  };
  return { get: (path) => call('GET', path), post: (path, body = {}) => call('POST', path, body) };
}

/** Polls `probe` every `stepMs` until it returns a truthy value; bounded by `timeoutMs`. */
export async function waitFor(what, probe, timeoutMs, stepMs = 20) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/**
 * Registers `labNode` and puts one server per entry of `servers` ({ name, interface, listen_port,
 * ipv4_subnet }) on it, lent to a new customer. Waits until each server's (empty) interface is up
 * on the node. Returns `{ customer, nodeId, servers: [{ id, assignmentId, ifname }] }`.
 */
export async function makeFleet(api, adminKey, labNode, servers) {
  const admin = client(api, adminKey);
  const node = await admin.post('/api/admin/nodes', {
    name: `bench-${labNode.name}`,
    transport: 'ssh',
    public_ipv4: labNode.publicIp,
    ssh: { host: labNode.sshHost, port: labNode.sshPort, username: labNode.username, private_key: labNode.privateKey, host_key: labNode.hostKey },
  });
  const account = await admin.post('/api/admin/accounts', { name: 'bench-customer', kind: 'customer' });
  const { key } = await admin.post(`/api/admin/accounts/${account.id}/api-keys`, { name: 'bench' });
  const made = [];
  for (const server of servers) {
    const { id } = await admin.post(`/api/admin/nodes/${node.id}/servers`, {
      location: 'Bench',
      mtu: 1420,
      endpoint_host: labNode.clientLinkIp,
      ...server,
    });
    const assignment = await admin.post('/api/admin/assignments', { server_id: id, account_id: account.id, max_users: null });
    made.push({ id, assignmentId: assignment.id, ifname: server.interface });
  }
  for (const { id } of made) {
    // Creating a server wakes no push (only the periodic pass would find it): ask, as an operator can.
    await admin.post(`/api/admin/servers/${id}/reconcile`);
    await waitFor(`server ${id} in sync`, async () => (await admin.get(`/api/admin/servers/${id}`)).sync.state === 'in_sync', 30_000, 50);
  }
  return { customer: client(api, key), admin, nodeId: node.id, servers: made };
}
