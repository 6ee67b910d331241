import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { NodeDriver } from '@wgfleet/node-sync';
import { TransportNodeDriver } from './transport-node-driver.js';

/** Binds the NodeDriver port to the real drivers for the whole app; closes the SSH pool at shutdown. */
@Global()
@Module({
  providers: [{ provide: NodeDriver, useFactory: () => new TransportNodeDriver() }],
  exports: [NodeDriver],
})
export class NodeDriverModule implements OnApplicationShutdown {
  constructor(@Inject(NodeDriver) private readonly driver: NodeDriver) {}

  async onApplicationShutdown(): Promise<void> {
    await this.driver.close();
  }
}
