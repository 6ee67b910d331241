import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who did what. Account and key ids are plain columns, not foreign keys: an audit entry must
 * outlive the account or key it mentions.
 */
export class CreateAuditLog1763900000000 implements MigrationInterface {
  name = 'CreateAuditLog1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_log (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at          timestamptz NOT NULL DEFAULT now(),
        account_id  bigint,
        api_key_id  bigint,
        source_ip   inet,
        action      text NOT NULL,
        target_type text,
        target_id   bigint,
        details     jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await queryRunner.query(`CREATE INDEX audit_log_account_id_idx ON audit_log (account_id, id DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_log`);
  }
}
