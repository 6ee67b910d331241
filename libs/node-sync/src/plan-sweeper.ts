import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { RepeatingPass } from '@wgfleet/core';
import { PlanEnforcer } from '@wgfleet/peers';
import { ReconcilerOptions } from './reconciler-options.js';

/**
 * Runs the plan enforcer's sweep (users whose end date came, monthly periods that began) every
 * `planSweepIntervalMs`, where the reconciler runs and on the same servers (`scope`): an expiry
 * is on its way to the node within a second. Every such replica sweeps; the enforcer's row locks
 * make a second replica's pass find nothing left to change.
 */
@Injectable()
export class PlanSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PlanSweeper.name);
  private readonly passes = new RepeatingPass(
    () => this.enforcer.sweep((serverId) => this.options.scope === null || this.options.scope(serverId)),
    (error): number[] => {
      this.logger.warn({ msg: 'plan sweep failed', err: error });
      return [];
    },
  );

  constructor(
    private readonly enforcer: PlanEnforcer,
    private readonly options: ReconcilerOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.enabled) this.passes.start(this.options.planSweepIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    await this.passes.stop();
  }

  /** One sweep now (or the one running); resolves with the users whose access changed. Never rejects. */
  runOnce(): Promise<number[]> {
    return this.passes.runOnce();
  }
}
