import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A deleted server's interface must leave its node too (its key, listen port, NAT rules, and any
 * peer a push had not yet removed). The server row is gone with the delete, so the delete writes
 * what the reconciler needs to undo it on the node; the row goes once the node is clean. Deleting
 * the node drops its pending removals: a node that is decommissioned is not contacted again.
 */
export class CreateServerRemoval1763900700000 implements MigrationInterface {
  name = 'CreateServerRemoval1763900700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE server_removal (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        server_id    bigint NOT NULL,
        node_id      bigint NOT NULL REFERENCES node (id) ON DELETE CASCADE,
        interface    text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        last_error   text
      )`);
    await queryRunner.query(`CREATE INDEX server_removal_node_interface_idx ON server_removal (node_id, interface)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE server_removal');
  }
}
