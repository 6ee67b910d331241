import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A server can be switched off without being deleted (WGDashboard's toggle): `enabled = false` takes
 * its interface off the node and keeps everything in Postgres. Existing and portal servers stay on.
 *
 * `wgd_configuration` holds what only a WGDashboard configuration has: its wg-quick hooks and
 * routing table, stored and shown but never run (the control plane renders NAT and forwarding
 * itself). It goes with its server.
 */
export class AddServerEnabled1763901200000 implements MigrationInterface {
  name = 'AddServerEnabled1763901200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE server ADD COLUMN enabled boolean NOT NULL DEFAULT true');
    await queryRunner.query(`
      CREATE TABLE wgd_configuration (
        server_id  bigint PRIMARY KEY REFERENCES server (id) ON DELETE CASCADE,
        pre_up     text NOT NULL DEFAULT '',
        post_up    text NOT NULL DEFAULT '',
        pre_down   text NOT NULL DEFAULT '',
        post_down  text NOT NULL DEFAULT '',
        table_name text NOT NULL DEFAULT ''
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE wgd_configuration');
    await queryRunner.query('ALTER TABLE server DROP COLUMN enabled');
  }
}
