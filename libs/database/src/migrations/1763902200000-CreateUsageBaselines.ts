import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where a user's monthly usage period started counting (owned by peers' plans): peer_status's
 * cumulative totals at the period's start, so the period's usage is the totals minus these. One row
 * per user with a monthly data limit, replaced at each new period; a `total` limit, or none, counts
 * from creation and needs no row.
 *
 * wg_user_expiry is narrowed to the users whose end date the enforcer still has to act on (enabled
 * and not already marked expired), so its once-a-second look stays as small as the expiries due,
 * not as large as every user that ever expired.
 */
export class CreateUsageBaselines1763902200000 implements MigrationInterface {
  name = 'CreateUsageBaselines1763902200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE usage_baseline (
        user_id      bigint PRIMARY KEY REFERENCES wg_user (id) ON DELETE CASCADE,
        period_start timestamptz NOT NULL,
        rx_base      bigint NOT NULL CHECK (rx_base >= 0),
        tx_base      bigint NOT NULL CHECK (tx_base >= 0),
        taken_at     timestamptz NOT NULL
      )`);
    await queryRunner.query('DROP INDEX wg_user_expiry');
    await queryRunner.query(
      `CREATE INDEX wg_user_expiry ON wg_user (expires_at) WHERE expires_at IS NOT NULL AND enabled AND access_reason IS DISTINCT FROM 'expired'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX wg_user_expiry');
    await queryRunner.query('CREATE INDEX wg_user_expiry ON wg_user (expires_at) WHERE expires_at IS NOT NULL');
    await queryRunner.query('DROP TABLE usage_baseline');
  }
}
