import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

/**
 * A peer schedule job (upstream's `PeerJobs` row, notes §1.8.5): when the peer's data or the date
 * meets the condition, the action runs once. Active while `expireDate` is null; deleting sets it.
 */
@Entity('wgd_peer_job')
export class WgdPeerJobEntity {
  @PrimaryColumn('bigint', { transformer: bigintId })
  nodeId: number;

  /** As the client sent it (upstream's UI makes a uuid4). */
  @PrimaryColumn('text')
  jobId: string;

  @Column('bigint', { transformer: bigintId })
  serverId: number;

  @Column('bigint', { transformer: bigintId })
  userId: number;

  /** The peer's public key (upstream's `Peer`). */
  @Column('text')
  peer: string;

  @Column('text')
  field: string;

  @Column('text')
  operator: string;

  @Column('text')
  value: string;

  @Column('text')
  action: string;

  /** UTC, `YYYY-MM-DD HH:MM:SS`, as upstream's SQLite `strftime('%Y-%m-%d %H:%M:%S','now')`. */
  @Column('text')
  creationDate: string;

  @Column('text', { nullable: true })
  expireDate: string | null;

  @Column({ type: 'bigint', transformer: bigintId, insert: false, update: false })
  seq: number;
}
