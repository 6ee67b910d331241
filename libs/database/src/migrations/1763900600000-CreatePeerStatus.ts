import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Observed state, written by the status poller and read by the API (never a node round trip
 * per request). Kept apart from the desired-state tables on purpose (STYLE.md §7).
 * `rx_total`/`tx_total` survive interface restarts: the node's counters restart from zero, so
 * the poller adds the raw delta, or the whole raw value when it went down.
 */
export class CreatePeerStatus1763900600000 implements MigrationInterface {
  name = 'CreatePeerStatus1763900600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE peer_status (
        user_id             bigint PRIMARY KEY REFERENCES wg_user (id) ON DELETE CASCADE,
        server_id           bigint NOT NULL REFERENCES server (id) ON DELETE CASCADE,
        latest_handshake_at timestamptz,
        endpoint            text,
        rx_total            bigint NOT NULL DEFAULT 0 CHECK (rx_total >= 0),
        tx_total            bigint NOT NULL DEFAULT 0 CHECK (tx_total >= 0),
        rx_last_raw         bigint NOT NULL DEFAULT 0 CHECK (rx_last_raw >= 0),
        tx_last_raw         bigint NOT NULL DEFAULT 0 CHECK (tx_last_raw >= 0),
        updated_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX peer_status_server_id_idx ON peer_status (server_id)`);
    await queryRunner.query(`
      CREATE TABLE server_status (
        server_id  bigint PRIMARY KEY REFERENCES server (id) ON DELETE CASCADE,
        interface  text NOT NULL CHECK (interface IN ('up', 'down', 'unknown')),
        polled_at  timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE server_status`);
    await queryRunner.query(`DROP TABLE peer_status`);
  }
}
