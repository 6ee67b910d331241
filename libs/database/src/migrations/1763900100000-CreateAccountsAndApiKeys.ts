import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAccountsAndApiKeys1763900100000 implements MigrationInterface {
  name = 'CreateAccountsAndApiKeys1763900100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE account (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        kind         text NOT NULL CHECK (kind IN ('admin', 'reseller', 'customer')),
        parent_id    bigint REFERENCES account (id) ON DELETE CASCADE,
        suspended_at timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT account_parent_only_for_customers CHECK (parent_id IS NULL OR kind = 'customer')
      )`);
    await queryRunner.query(`CREATE INDEX account_parent_id_idx ON account (parent_id) WHERE parent_id IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE api_key (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_id   bigint NOT NULL REFERENCES account (id) ON DELETE CASCADE,
        name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        key_hash     bytea NOT NULL,
        prefix       text NOT NULL,
        last4        text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz,
        revoked_at   timestamptz,
        last_used_at timestamptz,
        last_used_ip inet,
        CONSTRAINT api_key_key_hash_key UNIQUE (key_hash)
      )`);
    await queryRunner.query(`CREATE INDEX api_key_account_id_idx ON api_key (account_id, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_key`);
    await queryRunner.query(`DROP TABLE account`);
  }
}
