import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The status pollers alive now (node-sync's PollClaims): each replica that polls writes its row at
 * every pass with a lease a little longer than the interval, and the live replicas of one group
 * share the servers among them (rendezvous hashing), so the poll load spreads as replicas come and
 * go. A replica that stops renewing drops out once its lease runs out; a clean stop deletes its row.
 */
export class CreateStatusPollers1763901700000 implements MigrationInterface {
  name = 'CreateStatusPollers1763901700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE status_poller (
        replica     text PRIMARY KEY,
        poll_group  text NOT NULL,
        alive_until timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX status_poller_group_idx ON status_poller (poll_group, alive_until)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE status_poller');
  }
}
