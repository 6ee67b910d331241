import { Injectable } from '@nestjs/common';
import { TtlCache, type Page } from '@wgfleet/core';
import { FleetChanges } from '@wgfleet/servers';

/**
 * `GET /api/wg/servers` pages, per account, for one second: it is the route automation polls,
 * and a database round trip per call costs 0.1× of the HTTP ceiling on these machines. Any
 * write to the fleet in this process clears the cache (in the transaction and after commit), so
 * a caller reads its own writes; another replica's writes and the reconciler's progress show
 * within the TTL.
 */
export const SERVER_LIST_TTL_MS = 1_000;

@Injectable()
export class ServerListCache {
  private readonly pages = new TtlCache<unknown>(SERVER_LIST_TTL_MS, 10_000);
  // Loads under way, so the callers that miss together when a page expires share one load
  // instead of each running the same queries.
  private readonly loading = new Map<string, Promise<unknown>>();
  // Bumped by every change: a load that began before a change neither serves nor fills the cache
  // after it.
  private generation = 0;

  constructor(changes: FleetChanges) {
    changes.onChange(() => {
      this.generation += 1;
      this.pages.clear();
      this.loading.clear();
    });
  }

  /** The cached page, if there is one: what a caller may serve without loading. */
  peek<T>(accountId: number, page: Page): T | undefined {
    return this.pages.get(keyOf(accountId, page)) as T | undefined;
  }

  getOrLoad<T>(accountId: number, page: Page, load: () => Promise<T>): Promise<T> {
    const key = keyOf(accountId, page);
    const hit = this.pages.get(key) as T | undefined;
    if (hit !== undefined) return Promise.resolve(hit);
    const pending = this.loading.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const generation = this.generation;
    const loaded = load().then(
      (value) => {
        if (this.loading.get(key) === loaded) this.loading.delete(key);
        if (this.generation === generation) this.pages.set(key, value);
        return value;
      },
      (error: unknown) => {
        if (this.loading.get(key) === loaded) this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, loaded);
    return loaded;
  }
}

function keyOf(accountId: number, page: Page): string {
  return `${accountId}:${page.limit}:${page.afterId}`;
}
