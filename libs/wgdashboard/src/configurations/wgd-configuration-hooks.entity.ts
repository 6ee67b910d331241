import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

/** A configuration's wg-quick hooks and routing table: stored and shown, never run (our decision 5). */
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
}
