import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency claims that end with their replica (libs/idempotency):
 * - `committed`: the claim's request wrote, in the same transaction as the mark, and its response
 *   is not stored yet. If its replica dies then, the key must not run again, which a plain
 *   `in_flight` row cannot tell from a request that never got to write.
 * - `claim_token`: which claim of the key a row is now. A claim taken over from a dead replica gets
 *   a new token, and the old request's later writes (mark, response, release) name the old one.
 */
export class IdempotencyClaimOwnership1763901700100 implements MigrationInterface {
  name = 'IdempotencyClaimOwnership1763901700100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE idempotency_record DROP CONSTRAINT idempotency_record_state_check');
    await queryRunner.query(`ALTER TABLE idempotency_record ADD CONSTRAINT idempotency_record_state_check CHECK (state IN ('in_flight', 'committed', 'done'))`);
    // Rows from before have none: their requests ran (or run) under the old rules.
    await queryRunner.query('ALTER TABLE idempotency_record ADD COLUMN claim_token uuid');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE idempotency_record DROP COLUMN claim_token');
    await queryRunner.query(`DELETE FROM idempotency_record WHERE state = 'committed'`);
    await queryRunner.query('ALTER TABLE idempotency_record DROP CONSTRAINT idempotency_record_state_check');
    await queryRunner.query(`ALTER TABLE idempotency_record ADD CONSTRAINT idempotency_record_state_check CHECK (state IN ('in_flight', 'done'))`);
  }
}
