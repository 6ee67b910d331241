import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

@Entity('api_key')
export class ApiKeyEntity {
  @PrimaryColumn('bigint', { generated: 'identity', generatedIdentity: 'ALWAYS', transformer: bigintId })
  id: number;

  @Column('bigint', { transformer: bigintId })
  accountId: number;

  @Column('text')
  name: string;

  @Column('bytea', { select: false })
  keyHash: Buffer;

  @Column('text')
  prefix: string;

  @Column('text')
  last4: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { nullable: true })
  expiresAt: Date | null;

  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  lastUsedAt: Date | null;

  @Column('inet', { nullable: true })
  lastUsedIp: string | null;
}
