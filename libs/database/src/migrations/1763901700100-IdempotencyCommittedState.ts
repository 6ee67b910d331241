import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An idempotency claim can be `committed`: its request's write committed (the mark is written in
 * that same transaction) and its response is not stored yet. If its replica dies in that moment,
 * the key must not run again, which a plain `in_flight` row cannot tell from a request that never
 * got to write.
 */
export class IdempotencyCommittedState1763901700100 implements MigrationInterface {
  name = 'IdempotencyCommittedState1763901700100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE idempotency_record DROP CONSTRAINT idempotency_record_state_check');
    await queryRunner.query(`ALTER TABLE idempotency_record ADD CONSTRAINT idempotency_record_state_check CHECK (state IN ('in_flight', 'committed', 'done'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM idempotency_record WHERE state = 'committed'`);
    await queryRunner.query('ALTER TABLE idempotency_record DROP CONSTRAINT idempotency_record_state_check');
    await queryRunner.query(`ALTER TABLE idempotency_record ADD CONSTRAINT idempotency_record_state_check CHECK (state IN ('in_flight', 'done'))`);
  }
}
