import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

/**
 * What only a WGDashboard configuration has: its wg-quick hooks and routing table, stored and shown,
 * never run (our decision 5), and whether its public key is still unknown to upstream's eyes.
 */
@Entity('wgd_configuration')
export class WgdConfigurationHooksEntity {
  @PrimaryColumn('bigint', { transformer: bigintId })
  serverId: number;

  @Column('text')
  preUp: string;

  @Column('text')
  postUp: string;

  @Column('text')
  preDown: string;

  @Column('text')
  postDown: string;

  @Column('text')
  tableName: string;

  /**
   * Added by addWireguardConfiguration and not brought up since: upstream has not read the file yet,
   * so its configuration object shows `PublicKey: ""`. Cleared by whatever brings it up or rereads it.
   */
  @Column('boolean')
  publicKeyHidden: boolean;
}
