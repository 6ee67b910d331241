import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuditActor } from '@wgfleet/audit';
import { AppConfig, RepeatingPass } from '@wgfleet/core';
import { OperatorPeers } from '@wgfleet/peers';
import { WgdPeerActions } from '../peers/wgd-peer-actions.service.js';
import { WgdPeers, type WgdConfigurationRef, type WgdPeerRecord } from '../peers/wgd-peers.service.js';
import { peerUsage } from '../wgd-traffic.js';
import { whileHoldingPassLock } from './pass-lock.js';
import { PeerJobClock } from './peer-job-clock.js';
import { jobIsDue, jobMessages, type JobCondition } from './peer-job.js';
import type { WgdPeerJobEntity } from './wgd-peer-job.entity.js';
import { WgdPeerJobs } from './wgd-peer-jobs.service.js';

/** What one pass did; 'busy' when another replica was running one. */
export type PeerJobPass = { evaluated: number; acted: number; failed: number } | 'busy' | 'error';

/** The scheduler acts as no account and no key: the audit log shows the change with no actor. */
const SCHEDULER: AuditActor = { accountId: null, apiKeyId: null, sourceIp: '' };

/**
 * Upstream's job thread (notes §1.7 #2, §2.38): every WGD_JOB_INTERVAL_MS, and once at start, each
 * active job is evaluated; a job whose condition holds restricts or deletes its peer through
 * WgdPeerActions (the reconciler then takes the peer off the node), is logged as upstream logs it,
 * and is soft-deleted. A job that fails stays active and is tried again next pass.
 *
 * Runs where the reconciler runs (RECONCILER_ENABLED): it is background work of the same kind, and
 * API-only replicas and the test apps run none. Across replicas a pass holds a Postgres advisory
 * lock, so each job runs once. Unlike upstream's thread, no job can stop it: values are checked when
 * saved, and a failure is logged and the pass goes on.
 */
@Injectable()
export class PeerJobRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PeerJobRunner.name);
  private readonly passes = new RepeatingPass(
    () => this.lockedPass(),
    (error): PeerJobPass => {
      this.logger.warn({ msg: 'peer job pass failed', err: error });
      return 'error';
    },
  );

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: WgdPeerJobs,
    private readonly peers: WgdPeers,
    private readonly actions: WgdPeerActions,
    private readonly operatorPeers: OperatorPeers,
    private readonly clock: PeerJobClock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.RECONCILER_ENABLED !== 'true') return;
    // The first pass right after start, off the start's path.
    this.passes.start(this.config.WGD_JOB_INTERVAL_MS);
  }

  async onModuleDestroy(): Promise<void> {
    await this.passes.stop();
  }

  /**
   * One pass over every node's active jobs; a pass still running is not started twice. Never
   * rejects: it runs from a timer, where a rejection would end the process.
   */
  runOnce(): Promise<PeerJobPass> {
    return this.passes.runOnce();
  }

  /** Most nodes have no jobs: then no lock session is opened at all. */
  private async lockedPass(): Promise<PeerJobPass> {
    if (!(await this.jobs.anyActive())) return { evaluated: 0, acted: 0, failed: 0 };
    return whileHoldingPassLock(this.dataSource, () => this.pass());
  }

  private async pass(): Promise<PeerJobPass> {
    const report = { evaluated: 0, acted: 0, failed: 0 };
    const finished: WgdPeerJobEntity[] = [];
    const now = this.clock.now();
    for (const [nodeId, nodeJobs] of groupBy(await this.jobs.allActive(), (job) => job.nodeId)) {
      // One node that cannot be read (its rows, its keys) leaves the other nodes' jobs running.
      const configurations = await this.peers.configurations(nodeId).catch((error: unknown) => {
        this.logger.warn({ msg: 'peer jobs of a node skipped', nodeId, err: error });
        return [];
      });
      for (const [serverId, serverJobs] of groupBy(nodeJobs, (job) => job.serverId)) {
        const configuration = configurations.find((each) => each.server.id === serverId);
        // A server on its way out is no configuration any more; its jobs go with it.
        if (!configuration) continue;
        const wanted = new Set(serverJobs.map((job) => job.userId));
        const users = (await this.operatorPeers.onServer(serverId)).filter((user) => wanted.has(user.id));
        const records = new Map((await this.peers.recordsOf(configuration, users)).map((record) => [record.user.id, record]));
        for (const job of serverJobs) {
          report.evaluated += 1;
          const outcome = await this.runJob(job, configuration, records.get(job.userId), now).catch((error: unknown) => {
            this.logger.warn({ msg: 'peer job not evaluated', nodeId, serverId, jobId: job.jobId, err: error });
            return 'failed' as const;
          });
          if (outcome === 'acted') {
            report.acted += 1;
            finished.push(job);
          } else if (outcome === 'failed') report.failed += 1;
        }
      }
    }
    // As upstream, finished jobs are deleted after the pass (each logs its removal).
    for (const job of finished) await this.jobs.finish(job);
    return report;
  }

  private async runJob(job: WgdPeerJobEntity, configuration: WgdConfigurationRef, record: WgdPeerRecord | undefined, now: Date): Promise<'waiting' | 'acted' | 'failed'> {
    const name = configuration.server.interface;
    const log = (status: boolean, message: string) => this.jobs.log(null, configuration.server.id, job.jobId, status, message);
    // Upstream only finds active peers: a restricted one is "not found" on every pass until allowed.
    if (!record || record.source.restricted) {
      await log(false, jobMessages.notFound(job.peer, name, job.action));
      return 'failed';
    }
    if (!jobIsDue(job as JobCondition, peerUsage(record.source.observation), now)) return 'waiting';
    let done: number[] = [];
    try {
      if (job.action === 'restrict') done = await this.actions.restrict(SCHEDULER, configuration, [record]);
      else if (job.action === 'delete') done = await this.actions.delete(SCHEDULER, configuration, [record]);
    } catch (error) {
      this.logger.warn({ msg: 'peer job action failed', nodeId: job.nodeId, serverId: job.serverId, jobId: job.jobId, err: error });
    }
    if (!done.includes(record.user.id)) {
      await log(false, jobMessages.failed(record.user.publicKey, name, job.action));
      return 'failed';
    }
    await log(true, jobMessages.acted(record.user.publicKey, name, job.action));
    return 'acted';
  }
}

function groupBy<T, K>(items: T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(keyOf(item));
    if (group) group.push(item);
    else groups.set(keyOf(item), [item]);
  }
  return groups;
}
