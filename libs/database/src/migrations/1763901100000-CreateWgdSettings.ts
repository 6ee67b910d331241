import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * WGDashboard dashboard settings (upstream's `wg-dashboard.ini`), per node: a WGDashboard key is
 * bound to a node, and each node's key holders see and change that node's settings. Only the
 * options they changed are rows; the defaults live in code.
 */
export class CreateWgdSettings1763901100000 implements MigrationInterface {
  name = 'CreateWgdSettings1763901100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE wgd_setting (
        node_id    bigint NOT NULL REFERENCES node (id) ON DELETE CASCADE,
        section    text NOT NULL,
        key        text NOT NULL,
        value      text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT wgd_setting_pkey PRIMARY KEY (node_id, section, key)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE wgd_setting');
  }
}
