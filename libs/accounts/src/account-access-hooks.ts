import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * Runs inside the transaction that changes whether accounts may use what they hold (suspend,
 * unsuspend). Modules that own state depending on it register here — the servers module bumps
 * the generation of every server those accounts have peers on — so accounts never needs to
 * know about servers (dependencies point one way).
 */
export type AccountAccessHook = (manager: EntityManager, accountIds: number[]) => Promise<void>;

@Injectable()
export class AccountAccessHooks {
  private readonly hooks: AccountAccessHook[] = [];

  register(hook: AccountAccessHook): void {
    this.hooks.push(hook);
  }

  async run(manager: EntityManager, accountIds: number[]): Promise<void> {
    for (const hook of this.hooks) await hook(manager, accountIds);
  }
}
