import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which replica polls which server (node-sync's StatusPoller). Every replica with the reconciler on
 * runs a poller; before a pass each one claims the servers it will dump in one statement, so one
 * replica polls a server per interval instead of all of them. A claim names its replica and lasts
 * a little longer than the interval: the owner renews it on its next pass, and another replica
 * takes a server over only once its owner stopped renewing (killed, stopped, stuck). It goes with
 * its server.
 */
export class CreateServerPollClaim1763901600000 implements MigrationInterface {
  name = 'CreateServerPollClaim1763901600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE server_poll_claim (
        server_id     bigint PRIMARY KEY REFERENCES server (id) ON DELETE CASCADE,
        claimed_by    text NOT NULL,
        claimed_until timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE server_poll_claim');
  }
}
