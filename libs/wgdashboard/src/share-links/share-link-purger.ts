import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig, RepeatingPass } from '@wgfleet/core';
import { formatLocalDateTime } from '../python-time.js';

/**
 * How long after its ExpireDate a link is kept. Once expired a link answers exactly as an unknown
 * ShareID does (upstream's `getLinkByID` sees active links only, and nothing here can revive an
 * expired link), so deleting it changes no answer — as long as local time does not run back past
 * its ExpireDate: "now" is the local "YYYY-MM-DD HH:MM:SS" text, as upstream's
 * `datetime('now','localtime')`, so a clock set back, a DST fall-back hour or a change of the
 * host's time zone (at most 26 h, UTC+14 to UTC−12) makes such a link active again there. 48 h
 * covers all of them.
 */
export const SHARE_LINK_PURGE_GRACE_MS = 48 * 60 * 60_000;

/** Expired links pile up slowly (one per share and re-share); an hourly pass keeps the table small. */
export const SHARE_LINK_PURGE_INTERVAL_MS = 60 * 60_000;

/**
 * Deletes share links expired for longer than the grace period (upstream never deletes them, so its
 * table only grows). Runs where background work runs (RECONCILER_ENABLED), once at start and then
 * hourly. Several replicas may run it at once: it is one idempotent DELETE.
 */
@Injectable()
export class ShareLinkPurger implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ShareLinkPurger.name);
  private readonly passes = new RepeatingPass(
    () => this.purge(new Date()),
    (error) => {
      this.logger.warn({ msg: 'share link purge failed', err: error });
      return 0;
    },
  );

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.RECONCILER_ENABLED !== 'true') return;
    this.passes.start(SHARE_LINK_PURGE_INTERVAL_MS);
  }

  async onModuleDestroy(): Promise<void> {
    await this.passes.stop();
  }

  /**
   * Deletes the links that were no longer active `SHARE_LINK_PURGE_GRACE_MS` before `now`; returns
   * how many. Never rejects (it runs from a timer).
   */
  purgeOnce(now = new Date()): Promise<number> {
    return this.passes.runOnce(() => this.purge(now));
  }

  private async purge(now: Date): Promise<number> {
    const cutoff = formatLocalDateTime(new Date(now.getTime() - SHARE_LINK_PURGE_GRACE_MS));
    // The byte-wise comparison of the store's "active" rule (the column is COLLATE "C"): a link
    // whose ExpireDate is at or before the cutoff was inactive then and has been ever since.
    // (A number-like ExpireDate is never active either; one sorting after the cutoff stays, harmless.)
    const [, deleted] = (await this.dataSource.query('DELETE FROM wgd_share_link WHERE expire_date <= $1', [cutoff])) as [unknown, number];
    if (deleted > 0) this.logger.log({ msg: 'expired share links purged', count: deleted });
    return deleted;
  }
}
