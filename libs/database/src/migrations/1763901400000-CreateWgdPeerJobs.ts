import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * WGDashboard's peer schedule jobs and their log (upstream's `PeerJobs` and `JobLog`, notes
 * §1.8.5-1.8.6), owned by the WGDashboard module:
 * - `wgd_peer_job`: one row per job, its id as the client chose it. Ids are per node (each node is
 *   one upstream instance), so one node's key holders never meet another node's ids. A job goes
 *   with its peer (`user_id` ON DELETE CASCADE); deleting a job only sets `expire_date`, so its id
 *   stays taken as upstream's does. Dates are upstream's text: `creation_date`/`expire_date` UTC,
 *   `"YYYY-MM-DD HH:MM:SS"`. `peer` is the peer's public key (immutable for a `wg_user`).
 * - `wgd_job_log`: what happened to jobs, kept by server so a configuration still lists the logs
 *   of jobs whose peer was deleted (a `delete` job's own success, for one). `log_date` is local
 *   time as upstream writes it; `status` its "1"/"0". `seq` orders rows written in the same second
 *   as upstream's SQLite returns them (insertion order).
 */
export class CreateWgdPeerJobs1763901400000 implements MigrationInterface {
  name = 'CreateWgdPeerJobs1763901400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE wgd_peer_job (
        node_id       bigint NOT NULL REFERENCES node (id) ON DELETE CASCADE,
        job_id        text NOT NULL CHECK (length(job_id) BETWEEN 1 AND 255),
        server_id     bigint NOT NULL REFERENCES server (id) ON DELETE CASCADE,
        user_id       bigint NOT NULL REFERENCES wg_user (id) ON DELETE CASCADE,
        peer          text NOT NULL,
        field         text NOT NULL,
        operator      text NOT NULL,
        value         text NOT NULL,
        action        text NOT NULL,
        creation_date text NOT NULL,
        expire_date   text,
        seq           bigint GENERATED ALWAYS AS IDENTITY,
        CONSTRAINT wgd_peer_job_pkey PRIMARY KEY (node_id, job_id)
      )`);
    await queryRunner.query('CREATE INDEX wgd_peer_job_active_idx ON wgd_peer_job (server_id, seq) WHERE expire_date IS NULL');
    await queryRunner.query('CREATE INDEX wgd_peer_job_user_idx ON wgd_peer_job (user_id)');
    await queryRunner.query(`
      CREATE TABLE wgd_job_log (
        log_id    uuid PRIMARY KEY,
        server_id bigint NOT NULL REFERENCES server (id) ON DELETE CASCADE,
        job_id    text NOT NULL,
        log_date  text NOT NULL,
        status    text NOT NULL CHECK (status IN ('1', '0')),
        message   text NOT NULL,
        seq       bigint GENERATED ALWAYS AS IDENTITY
      )`);
    await queryRunner.query('CREATE INDEX wgd_job_log_server_idx ON wgd_job_log (server_id, log_date DESC, seq)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE wgd_job_log');
    await queryRunner.query('DROP TABLE wgd_peer_job');
  }
}
