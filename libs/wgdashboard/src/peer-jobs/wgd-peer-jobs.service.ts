import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { IsNull, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { formatLocalDateTime } from '../python-time.js';
import type { WgdConfigurationRef, WgdPeerRecord } from '../peers/wgd-peers.service.js';
import { formatUtcDateTime, PeerJobClock } from './peer-job-clock.js';
import { jobJson, jobMessages, type Checked, type JobCondition } from './peer-job.js';
import { WgdJobLogEntity } from './wgd-job-log.entity.js';
import { WgdPeerJobEntity } from './wgd-peer-job.entity.js';

/** Upstream's answer when a deleted job's id is saved again: its SQLite primary key error. */
export const JOB_ID_TAKEN = 'UNIQUE constraint failed: PeerJobs.JobID';

/**
 * The peer jobs of a node and their log (upstream's `PeerJobs` and `PeerJobLogger`): saved, updated,
 * soft-deleted, listed. A job row and the log line that tells of it commit together.
 */
@Injectable()
export class WgdPeerJobs {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(WgdPeerJobEntity) private readonly jobs: Repository<WgdPeerJobEntity>,
    @InjectRepository(WgdJobLogEntity) private readonly logs: Repository<WgdJobLogEntity>,
    private readonly clock: PeerJobClock,
  ) {}

  /**
   * Upstream's saveJob: a new id (among the node's active jobs) is inserted, an active one has its
   * condition and action replaced (whichever peer it is on, as upstream). The answer lists the job
   * when it is this peer's on this configuration, as upstream filters it.
   */
  async save(configuration: WgdConfigurationRef, record: WgdPeerRecord, jobId: string, condition: JobCondition): Promise<Checked<Array<Record<string, unknown>>>> {
    const nodeId = configuration.nodeId;
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const active = await manager.findOne(WgdPeerJobEntity, { where: { nodeId, jobId, expireDate: IsNull() }, lock: { mode: 'pessimistic_write' } });
      let job: WgdPeerJobEntity;
      if (active) {
        await manager.update(WgdPeerJobEntity, { nodeId, jobId }, { ...condition });
        await this.log(manager, active.serverId, jobId, true, jobMessages.updated(active as JobCondition, condition), now);
        job = { ...active, ...condition };
      } else {
        // The id of an expired job stays taken (upstream's primary key); no error aborts the transaction.
        const inserted: WgdPeerJobEntity[] = await manager.query(
          `INSERT INTO wgd_peer_job (node_id, job_id, server_id, user_id, peer, field, operator, value, action, creation_date)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (node_id, job_id) DO NOTHING RETURNING job_id`,
          [nodeId, jobId, configuration.server.id, record.user.id, record.user.publicKey, condition.field, condition.operator, condition.value, condition.action, formatUtcDateTime(now)],
        );
        if (inserted.length === 0) return { ok: false, message: JOB_ID_TAKEN };
        await this.log(manager, configuration.server.id, jobId, true, jobMessages.created(condition), now);
        job = await manager.findOneByOrFail(WgdPeerJobEntity, { nodeId, jobId });
      }
      const ours = job.serverId === configuration.server.id && job.userId === record.user.id;
      return { ok: true, value: ours ? [jobJson(job as WgdPeerJobEntity & JobCondition, configuration.server.interface)] : [] };
    });
  }

  /**
   * Upstream's deleteJob: sets the job's expire date (again, if already set) and logs it. An id the
   * node never had changes nothing (upstream logs a line no listing can show).
   */
  async remove(nodeId: number, jobId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      // TypeORM answers an UPDATE with [rows, affected].
      const [rows] = (await manager.query('UPDATE wgd_peer_job SET expire_date = $3 WHERE node_id = $1 AND job_id = $2 RETURNING server_id', [
        nodeId,
        jobId,
        formatUtcDateTime(now),
      ])) as [Array<{ server_id: string }>, number];
      const [row] = rows;
      if (row) await this.log(manager, Number(row.server_id), jobId, true, jobMessages.removed(), now);
    });
  }

  /**
   * A job the scheduler ran: expired and its removal logged, as upstream's runner deletes it. After
   * a `delete` action the row has gone with its peer; the line is still written, to the job's server.
   */
  async finish(job: Pick<WgdPeerJobEntity, 'nodeId' | 'jobId' | 'serverId'>): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      await manager.update(WgdPeerJobEntity, { nodeId: job.nodeId, jobId: job.jobId }, { expireDate: formatUtcDateTime(now) });
      await this.log(manager, job.serverId, job.jobId, true, jobMessages.removed(), now);
    });
  }

  /** The server's active jobs, oldest first. */
  async activeOnServer(serverId: number): Promise<WgdPeerJobEntity[]> {
    return this.jobs.find({ where: { serverId, expireDate: IsNull() }, order: { seq: 'ASC' } });
  }

  /** Whether any node has an active job (a pass without one needs no lock). */
  async anyActive(): Promise<boolean> {
    return this.jobs.exists({ where: { expireDate: IsNull() } });
  }

  /** Every node's active jobs, oldest first: what one scheduler pass evaluates. */
  async allActive(): Promise<WgdPeerJobEntity[]> {
    return this.jobs.find({ where: { expireDate: IsNull() }, order: { seq: 'ASC' } });
  }

  /** The configuration's job logs, deleted jobs' included, newest first (same-second lines in the order written, as upstream's SQLite). */
  async logsOf(configuration: WgdConfigurationRef): Promise<Array<Record<string, unknown>>> {
    const rows = await this.logs.find({ where: { serverId: configuration.server.id }, order: { logDate: 'DESC', seq: 'ASC' } });
    return rows.map((row) => ({ JobID: row.jobId, LogDate: row.logDate, LogID: row.logId, Message: row.message, Status: row.status }));
  }

  /** One log line; `status` is upstream's bool, stored as its "1"/"0". */
  async log(manager: EntityManager | null, serverId: number, jobId: string, status: boolean, message: string, now = this.clock.now()): Promise<void> {
    await (manager ?? this.dataSource.manager).insert(WgdJobLogEntity, {
      logId: randomUUID(),
      serverId,
      jobId,
      logDate: formatLocalDateTime(now),
      status: status ? '1' : '0',
      message,
    });
  }
}
