import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

/** One line of a job's history (upstream's `JobLog`, notes §1.8.6). */
@Entity('wgd_job_log')
export class WgdJobLogEntity {
  @PrimaryColumn('uuid')
  logId: string;

  @Column('bigint', { transformer: bigintId })
  serverId: number;

  @Column('text')
  jobId: string;

  /** Local time, `YYYY-MM-DD HH:MM:SS`. */
  @Column('text')
  logDate: string;

  /** Upstream's Python bool stored as text: "1" or "0". */
  @Column('text')
  status: '1' | '0';

  @Column('text')
  message: string;

  @Column({ type: 'bigint', transformer: bigintId, insert: false, update: false })
  seq: number;
}
