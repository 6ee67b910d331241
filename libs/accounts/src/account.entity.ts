import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

export const ACCOUNT_KINDS = ['admin', 'reseller', 'customer'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];


@Entity('account')
export class AccountEntity {
  @PrimaryColumn('bigint', { generated: 'identity', generatedIdentity: 'ALWAYS', transformer: bigintId })
  id: number;

  @Column('text')
  name: string;

  @Column('text')
  kind: AccountKind;

  @Column('bigint', { nullable: true, transformer: bigintId })
  parentId: number | null;

  @Column('timestamptz', { nullable: true })
  suspendedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
