import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * WGDashboard share links (upstream's `PeerShareLinks`): a ShareID that opens one peer's
 * wg-quick file without a key. A link belongs to the peer (`wg_user`) it was made for, so it
 * follows the peer through a configuration rename and goes when the peer is deleted; node and
 * server scope every lookup, so a link never resolves to another node's peer.
 * `configuration` and `peer` are the names the request gave; `expire_date` is the text it sent,
 * compared byte-wise as upstream's SQLite does (hence COLLATE "C").
 */
export class CreateWgdShareLinks1763901300000 implements MigrationInterface {
  name = 'CreateWgdShareLinks1763901300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE wgd_share_link (
        share_id      text PRIMARY KEY,
        node_id       bigint NOT NULL REFERENCES node (id) ON DELETE CASCADE,
        server_id     bigint NOT NULL REFERENCES server (id) ON DELETE CASCADE,
        user_id       bigint NOT NULL REFERENCES wg_user (id) ON DELETE CASCADE,
        configuration text NOT NULL,
        peer          text NOT NULL,
        expire_date   text COLLATE "C",
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX wgd_share_link_user_idx ON wgd_share_link (user_id)');
    await queryRunner.query('CREATE INDEX wgd_share_link_server_idx ON wgd_share_link (server_id)');
    await queryRunner.query('CREATE INDEX wgd_share_link_node_idx ON wgd_share_link (node_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE wgd_share_link');
  }
}
