import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * WGDashboard API keys (the `wg-dashboard-apikey` header). Each is bound to one node: its
 * "configurations" are that node's servers. Stored as a SHA-256 hash like portal keys (a deliberate
 * deviation: upstream keeps them in clear); `hint` is the last characters, for masked listings.
 * Deleting a key (upstream: setting ExpiredAt to now) sets `expires_at`.
 */
export class CreateWgdApiKeys1763900800000 implements MigrationInterface {
  name = 'CreateWgdApiKeys1763900800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE wgd_api_key (
        id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        node_id    bigint NOT NULL REFERENCES node (id) ON DELETE CASCADE,
        key_hash   bytea NOT NULL,
        hint       text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        CONSTRAINT wgd_api_key_hash_key UNIQUE (key_hash)
      )`);
    await queryRunner.query('CREATE INDEX wgd_api_key_node_idx ON wgd_api_key (node_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE wgd_api_key');
  }
}
