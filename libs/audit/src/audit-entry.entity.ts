import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

/** One line of "who did what": the acting account and key, where from, and to what. */
@Entity('audit_log')
export class AuditEntryEntity {
  @PrimaryColumn('bigint', { generated: 'identity', generatedIdentity: 'ALWAYS', transformer: bigintId })
  id: number;

  @Column('timestamptz', { default: () => 'now()' })
  at: Date;

  @Column('bigint', { nullable: true, transformer: bigintId })
  accountId: number | null;

  @Column('bigint', { nullable: true, transformer: bigintId })
  apiKeyId: number | null;

  @Column('inet', { nullable: true })
  sourceIp: string | null;

  @Column('text')
  action: string;

  @Column('text', { nullable: true })
  targetType: string | null;

  @Column('bigint', { nullable: true, transformer: bigintId })
  targetId: number | null;

  @Column('jsonb')
  details: Record<string, unknown>;
}
