import { NodeDriver, type DesiredServerState, type InterfaceCounterSamples, type NodeTarget, type NodeToolOutput } from '@wgfleet/node-sync';
import { LocalNodeDriver } from './local-node-driver.js';
import { SshNodeDriver } from './ssh-node-driver.js';

/** The app's NodeDriver: a node's `transport` picks the SSH pool or local child processes. */
export class TransportNodeDriver extends NodeDriver {
  constructor(
    private readonly ssh: NodeDriver = new SshNodeDriver(),
    private readonly local: NodeDriver = new LocalNodeDriver(),
  ) {
    super();
  }

  apply(target: NodeTarget, desired: DesiredServerState): Promise<void> {
    return this.driverFor(target).apply(target, desired);
  }

  remove(target: NodeTarget, interfaceName: string): Promise<void> {
    return this.driverFor(target).remove(target, interfaceName);
  }

  dump(target: NodeTarget, interfaceName: string): Promise<string> {
    return this.driverFor(target).dump(target, interfaceName);
  }

  interfaceCounters(target: NodeTarget, interfaceName: string): Promise<InterfaceCounterSamples | null> {
    return this.driverFor(target).interfaceCounters(target, interfaceName);
  }

  ping(target: NodeTarget, address: string, count: number): Promise<NodeToolOutput> {
    return this.driverFor(target).ping(target, address, count);
  }

  traceroute(target: NodeTarget, address: string): Promise<NodeToolOutput> {
    return this.driverFor(target).traceroute(target, address);
  }

  systemSnapshot(target: NodeTarget): Promise<NodeToolOutput> {
    return this.driverFor(target).systemSnapshot(target);
  }

  async close(): Promise<void> {
    await Promise.all([this.ssh.close(), this.local.close()]);
  }

  private driverFor(target: NodeTarget): NodeDriver {
    return target.transport === 'local' ? this.local : this.ssh;
  }
}
