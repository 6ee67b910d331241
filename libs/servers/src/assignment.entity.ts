import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

/**
 * A server lent to an account, with quotas; its id is the `{id}` of /api/wg/servers/{id}. A
 * reseller's delegation to a customer is an assignment whose parent is the reseller's.
 */
@Entity('assignment')
export class AssignmentEntity {
  @PrimaryColumn('bigint', { generated: 'identity', generatedIdentity: 'ALWAYS', transformer: bigintId })
  id: number;

  @Column('bigint', { transformer: bigintId })
  serverId: number;

  @Column('bigint', { transformer: bigintId })
  accountId: number;

  @Column('bigint', { nullable: true, transformer: bigintId })
  parentAssignmentId: number | null;

  @Column('integer', { nullable: true })
  maxUsers: number | null;

  @Column('integer', { nullable: true })
  maxPortForwards: number | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
