import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

/** One dashboard setting a node's key holders changed (upstream's `wg-dashboard.ini`); the rest are defaults in code. */
@Entity('wgd_setting')
export class WgdSettingEntity {
  @PrimaryColumn('bigint', { transformer: bigintId })
  nodeId: number;

  /** Upstream's ini section, case as upstream spells it (`Peers`). */
  @PrimaryColumn('text')
  section: string;

  /** The option, lower-case as configparser stores it (`peer_global_dns`). */
  @PrimaryColumn('text')
  key: string;

  /** The stored text, typed on the way out by upstream's rule (`true`, `1420`, `a||b`). */
  @Column('text')
  value: string;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
