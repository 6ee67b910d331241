import { assertNodeNumberOwned, assertRootLinkAddress, nodePlan } from './address-plan.js';
import type { LabResources } from './resources.js';
import { mustRun } from './run.js';

// Link names inside a namespace only have to be unique there; root-side names carry the lab id.
export const NODE_UPLINK = 'up0';
export const NODE_CLIENT_BRIDGE = 'br0';
export const NODE_INTERNET_LINK = 'inet0';
export const CLIENT_LINK = 'eth0';

const inNs = (netns: string, ...argv: string[]) => mustRun(['ip', '-n', netns, ...argv]);

export async function addNamespace(resources: LabResources, netns: string): Promise<void> {
  resources.namespaces.push(netns);
  await mustRun(['ip', 'netns', 'add', netns]);
  await inNs(netns, 'link', 'set', 'lo', 'up');
}

/**
 * The only link the lab puts in the machine's own namespace. `checkRoutes` runs before and after
 * it comes up: if the machine's route to its registries or DNS moved, creation stops there.
 */
export async function linkNodeToRoot(
  resources: LabResources,
  n: number,
  netns: string,
  rootLink: string,
  checkRoutes: (when: string) => Promise<void>,
): Promise<void> {
  const plan = nodePlan(n);
  const rootCidr = `${plan.rootIp}/30`;
  assertRootLinkAddress(rootCidr);
  await checkRoutes(`before bringing up ${rootLink}`);
  resources.rootLinks.push(rootLink);
  await mustRun(['ip', 'link', 'add', rootLink, 'type', 'veth', 'peer', 'name', NODE_UPLINK, 'netns', netns]);
  // IPv4 is all the SSH reach needs; no link-local, no router solicitations on the machine's side.
  await mustRun(['sysctl', '-q', '-w', `net.ipv6.conf.${rootLink}.disable_ipv6=1`]);
  await mustRun(['ip', 'address', 'add', rootCidr, 'dev', rootLink]);
  await mustRun(['ip', 'link', 'set', 'dev', rootLink, 'up']);
  await inNs(netns, 'address', 'add', `${plan.sshHost}/30`, 'dev', NODE_UPLINK);
  await inNs(netns, 'link', 'set', 'dev', NODE_UPLINK, 'up');
  await checkRoutes(`after bringing up ${rootLink}`);
  await assertNodeNumberOwned(n, rootLink);
}

export async function configureNodeInside(n: number, netns: string): Promise<void> {
  const plan = nodePlan(n);
  await mustRun(['ip', 'netns', 'exec', netns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
  // Clients share one /24 behind a bridge, as they would behind a switch.
  await inNs(netns, 'link', 'add', NODE_CLIENT_BRIDGE, 'type', 'bridge');
  await inNs(netns, 'address', 'add', `${plan.clientLinkIp}/24`, 'dev', NODE_CLIENT_BRIDGE);
  await inNs(netns, 'link', 'set', 'dev', NODE_CLIENT_BRIDGE, 'up');
}

export async function linkClientToNode(n: number, k: number, nodeNs: string, clientNs: string): Promise<string> {
  const plan = nodePlan(n);
  const port = `c${k}`;
  await inNs(nodeNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', CLIENT_LINK, 'netns', clientNs);
  await inNs(nodeNs, 'link', 'set', 'dev', port, 'master', NODE_CLIENT_BRIDGE, 'up');
  const ip = plan.clientIp(k);
  await inNs(clientNs, 'address', 'add', `${ip}/24`, 'dev', CLIENT_LINK);
  await inNs(clientNs, 'link', 'set', 'dev', CLIENT_LINK, 'up');
  await inNs(clientNs, 'route', 'add', 'default', 'via', plan.clientLinkIp);
  return ip;
}

/** The internet host reaches each node's public address and nothing else (no default route). */
export async function linkNodeToInternet(n: number, nodeIndex: number, nodeNs: string, internetNs: string): Promise<void> {
  const plan = nodePlan(n);
  const port = `n${nodeIndex}`;
  await inNs(nodeNs, 'link', 'add', NODE_INTERNET_LINK, 'type', 'veth', 'peer', 'name', port, 'netns', internetNs);
  await inNs(nodeNs, 'address', 'add', `${plan.publicIp}/24`, 'dev', NODE_INTERNET_LINK);
  await inNs(nodeNs, 'link', 'set', 'dev', NODE_INTERNET_LINK, 'up');
  await inNs(internetNs, 'address', 'add', `${plan.internetIp}/24`, 'dev', port);
  await inNs(internetNs, 'link', 'set', 'dev', port, 'up');
}
