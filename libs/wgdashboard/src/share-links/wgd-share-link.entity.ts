import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

/** A share link (upstream's `PeerShareLinks` row), owned by the peer it opens. */
@Entity('wgd_share_link')
export class WgdShareLinkEntity {
  @PrimaryColumn('text')
  shareId: string;

  @Column('bigint', { transformer: bigintId })
  nodeId: number;

  @Column('bigint', { transformer: bigintId })
  serverId: number;

  @Column('bigint', { transformer: bigintId })
  userId: number;

  /** The configuration name the request gave. */
  @Column('text')
  configuration: string;

  /** The peer's public key as the request gave it. */
  @Column('text')
  peer: string;

  /** Exactly as sent, or null (never expires). */
  @Column('text', { nullable: true })
  expireDate: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
