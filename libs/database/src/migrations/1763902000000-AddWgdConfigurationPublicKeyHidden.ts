import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * WGDashboard 4.2.5 computes a configuration's public key only when it reads the configuration's
 * file (at start, on toggle, when a peer call brings it up), never when `addWireguardConfiguration`
 * writes it: until then it shows `"PublicKey":""`. `public_key_hidden` records that state for a
 * configuration added through that API and not brought up since. Existing rows and servers made
 * through the portal show their key.
 */
export class AddWgdConfigurationPublicKeyHidden1763902000000 implements MigrationInterface {
  name = 'AddWgdConfigurationPublicKeyHidden1763902000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE wgd_configuration ADD COLUMN public_key_hidden boolean NOT NULL DEFAULT false');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE wgd_configuration DROP COLUMN public_key_hidden');
  }
}
