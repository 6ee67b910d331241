import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * WGDashboard configuration backups, kept by the control plane (never as files on a node). A backup
 * belongs to its node and names its configuration by name, as upstream's `<Name>_<time>.conf` files
 * do: it outlives the configuration (listed under NonExistingConfigurations) and a configuration
 * created again under that name sees it. `snapshot` is sealed (SecretBox): it holds the server's
 * private key and the peers' private and preshared keys.
 *
 * `wgd_backup_download` is the zip a download hands out: a random id for `/fileDownload?file=<id>.zip`,
 * which serves only the backup it names (the zip is built from the row, never read from a path).
 */
export class CreateWgdBackups1763901500000 implements MigrationInterface {
  name = 'CreateWgdBackups1763901500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE wgd_backup (
        id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        node_id            bigint NOT NULL REFERENCES node (id) ON DELETE CASCADE,
        configuration_name text NOT NULL,
        file_name          text NOT NULL,
        created_at         timestamptz NOT NULL DEFAULT now(),
        snapshot           bytea NOT NULL,
        CONSTRAINT wgd_backup_file_key UNIQUE (node_id, file_name)
      )`);
    await queryRunner.query('CREATE INDEX wgd_backup_configuration_idx ON wgd_backup (node_id, configuration_name, created_at DESC)');
    await queryRunner.query(`
      CREATE TABLE wgd_backup_download (
        id         uuid PRIMARY KEY,
        backup_id  bigint NOT NULL REFERENCES wgd_backup (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX wgd_backup_download_backup_idx ON wgd_backup_download (backup_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE wgd_backup_download');
    await queryRunner.query('DROP TABLE wgd_backup');
  }
}
