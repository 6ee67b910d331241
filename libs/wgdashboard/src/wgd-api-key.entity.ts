import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

/** A WGDashboard API key, bound to one node; only its hash is stored. */
@Entity('wgd_api_key')
export class WgdApiKeyEntity {
  @PrimaryColumn('bigint', { generated: 'identity', generatedIdentity: 'ALWAYS', transformer: bigintId })
  id: number;

  @Column('bigint', { transformer: bigintId })
  nodeId: number;

  @Column('bytea', { select: false })
  keyHash: Buffer;

  /** The last characters of the key: enough to tell keys apart in a masked listing. */
  @Column('text')
  hint: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { nullable: true })
  expiresAt: Date | null;
}
