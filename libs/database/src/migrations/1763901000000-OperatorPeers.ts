import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Peers the operator owns (DESIGN.md's model: "owned through an assignment, or by the admin, for
 * WGDashboard peers"), and what WGDashboard can do to a peer that the portal cannot:
 * - `wg_user.assignment_id` may be null: such a user belongs to no tenant; portal listings and
 *   quotas are per assignment and never see it, the admin's view of the server does.
 * - `client_name` keeps the portal's slug rule for tenants' users only; an operator's peer is named
 *   freely through WGDashboard (upstream takes any text, non-ASCII included).
 * - `restricted_at`: a restricted peer leaves the node (the desired state skips it) and stays here
 *   with its keys and addresses, so allowing it again restores it exactly.
 * - `routed_ips`: networks routed to the peer beyond its own /32 and /128 (WGDashboard's
 *   `allowed_ip` may list more than one address).
 * - `wgd_peer`: the WGDashboard-only settings of a peer (owned by the WGDashboard module): its MTU
 *   and remote endpoint, and DNS and endpoint_allowed_ip exactly as typed (wg_user holds them parsed),
 *   so its answers stay byte for byte.
 */
export class OperatorPeers1763901000000 implements MigrationInterface {
  name = 'OperatorPeers1763901000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE wg_user ALTER COLUMN assignment_id DROP NOT NULL');
    await queryRunner.query('ALTER TABLE wg_user DROP CONSTRAINT wg_user_client_name_check');
    await queryRunner.query(`
      ALTER TABLE wg_user
        ADD CONSTRAINT wg_user_client_name_check
          CHECK (CASE WHEN assignment_id IS NULL THEN length(client_name) <= 512 ELSE client_name ~ '^[A-Za-z0-9_-]{1,50}$' END),
        ADD COLUMN restricted_at timestamptz,
        ADD COLUMN routed_ips cidr[] NOT NULL DEFAULT '{}'`);
    await queryRunner.query('CREATE INDEX wg_user_operator_idx ON wg_user (server_id, id) WHERE assignment_id IS NULL');
    await queryRunner.query(`
      CREATE TABLE wgd_peer (
        user_id             bigint PRIMARY KEY REFERENCES wg_user (id) ON DELETE CASCADE,
        dns                 text NOT NULL,
        endpoint_allowed_ip text NOT NULL,
        mtu                 integer NOT NULL CHECK (mtu BETWEEN 0 AND 1460),
        remote_endpoint     text NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE wgd_peer');
    await queryRunner.query('DELETE FROM wg_user WHERE assignment_id IS NULL');
    await queryRunner.query('DROP INDEX wg_user_operator_idx');
    await queryRunner.query(`
      ALTER TABLE wg_user
        DROP COLUMN routed_ips,
        DROP COLUMN restricted_at,
        DROP CONSTRAINT wg_user_client_name_check,
        ADD CONSTRAINT wg_user_client_name_check CHECK (client_name ~ '^[A-Za-z0-9_-]{1,50}$'),
        ALTER COLUMN assignment_id SET NOT NULL`);
  }
}
