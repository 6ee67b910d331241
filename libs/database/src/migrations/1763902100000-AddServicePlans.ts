import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Service plans (bandwidth, enable/disable, expiry, data limits) on users, and DNS-over-TLS on
 * servers. Rates are Mbit/s with at most three decimals (numeric(8,3) holds 0.1–10000 exactly);
 * null means unlimited. A data limit is all of its columns or none of them. `access_state` and
 * `access_reason` are what the enforcer last decided from the plan and the usage: the push takes a
 * blocked user's peer off its node and shapes a throttled one.
 */
export class AddServicePlans1763902100000 implements MigrationInterface {
  name = 'AddServicePlans1763902100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE wg_user
        ADD COLUMN enabled boolean NOT NULL DEFAULT true,
        ADD COLUMN expires_at timestamptz,
        ADD COLUMN download_mbps numeric(8,3),
        ADD COLUMN upload_mbps numeric(8,3),
        ADD COLUMN data_limit_bytes bigint,
        ADD COLUMN data_limit_period text,
        ADD COLUMN data_limit_reset_day smallint,
        ADD COLUMN data_limit_action text,
        ADD COLUMN data_limit_throttle_mbps numeric(8,3),
        ADD COLUMN access_state text NOT NULL DEFAULT 'allowed',
        ADD COLUMN access_reason text,
        ADD CONSTRAINT wg_user_download_mbps CHECK (download_mbps >= 0.1 AND download_mbps <= 10000),
        ADD CONSTRAINT wg_user_upload_mbps CHECK (upload_mbps >= 0.1 AND upload_mbps <= 10000),
        ADD CONSTRAINT wg_user_data_limit CHECK (
          (data_limit_bytes IS NULL AND data_limit_period IS NULL AND data_limit_reset_day IS NULL
             AND data_limit_action IS NULL AND data_limit_throttle_mbps IS NULL)
          OR (data_limit_bytes >= 1000000
             AND (data_limit_period = 'total' AND data_limit_reset_day IS NULL
                  OR data_limit_period = 'monthly' AND data_limit_reset_day BETWEEN 1 AND 28)
             AND (data_limit_action = 'block' AND data_limit_throttle_mbps IS NULL
                  OR data_limit_action = 'throttle' AND data_limit_throttle_mbps >= 0.1 AND data_limit_throttle_mbps <= 10000))),
        ADD CONSTRAINT wg_user_access CHECK (
          access_state = 'allowed' AND access_reason IS NULL
          OR access_state = 'blocked' AND access_reason IN ('disabled', 'expired', 'data_limit_reached')
          OR access_state = 'throttled' AND access_reason = 'data_limit_reached')
    `);
    // The enforcer looks for users whose end date has come and who are not blocked for it yet.
    await queryRunner.query('CREATE INDEX wg_user_expiry ON wg_user (expires_at) WHERE expires_at IS NOT NULL');
    await queryRunner.query(`
      ALTER TABLE server
        ADD COLUMN dns_mode text NOT NULL DEFAULT 'plain',
        ADD COLUMN dns_tls_resolvers jsonb,
        ADD CONSTRAINT server_dns_mode CHECK (
          dns_mode = 'plain' AND dns_tls_resolvers IS NULL
          OR dns_mode = 'tls' AND jsonb_typeof(dns_tls_resolvers) = 'array' AND jsonb_array_length(dns_tls_resolvers) BETWEEN 1 AND 4)
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE server DROP CONSTRAINT server_dns_mode, DROP COLUMN dns_tls_resolvers, DROP COLUMN dns_mode');
    await queryRunner.query('DROP INDEX wg_user_expiry');
    await queryRunner.query(`
      ALTER TABLE wg_user
        DROP CONSTRAINT wg_user_access, DROP CONSTRAINT wg_user_data_limit,
        DROP CONSTRAINT wg_user_upload_mbps, DROP CONSTRAINT wg_user_download_mbps,
        DROP COLUMN access_reason, DROP COLUMN access_state,
        DROP COLUMN data_limit_throttle_mbps, DROP COLUMN data_limit_action, DROP COLUMN data_limit_reset_day,
        DROP COLUMN data_limit_period, DROP COLUMN data_limit_bytes,
        DROP COLUMN upload_mbps, DROP COLUMN download_mbps, DROP COLUMN expires_at, DROP COLUMN enabled
    `);
  }
}
