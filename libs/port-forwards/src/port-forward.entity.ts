import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

export type ForwardProtocol = 'tcp' | 'udp' | 'both';

@Entity('port_forward')
export class PortForwardEntity {
  @PrimaryColumn('bigint', { generated: 'identity', generatedIdentity: 'ALWAYS', transformer: bigintId })
  id: number;

  @Column('bigint', { transformer: bigintId })
  userId: number;

  @Column('bigint', { transformer: bigintId })
  assignmentId: number;

  @Column('bigint', { transformer: bigintId })
  serverId: number;

  @Column('inet')
  publicIp: string;

  @Column('integer')
  externalPort: number;

  @Column('integer')
  internalPort: number;

  @Column('text')
  protocol: ForwardProtocol;

  @Column('text')
  comment: string;

  @Column('text')
  state: 'pending' | 'active' | 'error';

  @Column('text', { nullable: true })
  stateError: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/** One (address, tcp|udp, port) a forward occupies; its primary key is what makes ports unique. */
@Entity('port_claim')
export class PortClaimEntity {
  @Column('bigint', { transformer: bigintId })
  nodeId: number;

  @PrimaryColumn('inet')
  publicIp: string;

  @PrimaryColumn('text')
  protocol: 'tcp' | 'udp';

  @PrimaryColumn('integer')
  port: number;

  @Column('bigint', { transformer: bigintId })
  portForwardId: number;
}
