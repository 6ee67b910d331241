import { Body, Controller, Get, Param, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { WgdRequest } from '../wgd-auth.guard.js';
import { wgdFail, WgdHttpError, wgdOk, type WgdResult } from '../wgd-result.js';
import { WgdPost, WgdRoutes } from '../wgd-routes.decorator.js';
import { WgdPeers, type WgdConfigurationRef, type WgdPeerRecord } from '../peers/wgd-peers.service.js';
import { missingJobKeys, missingKeysMessage, readJobRequest } from './job-request.js';
import { checkJob, MAX_JOB_ID_LENGTH } from './peer-job.js';
import { WgdPeerJobs } from './wgd-peer-jobs.service.js';

type JobTarget = { job: Record<string, unknown>; configuration: WgdConfigurationRef; record: WgdPeerRecord };

/** Peer schedule jobs (notes §2.38-2.40); the scheduler that runs them is PeerJobRunner. */
@WgdRoutes()
@ApiExcludeController()
@Controller('api')
export class PeerJobsController {
  constructor(
    private readonly peers: WgdPeers,
    private readonly jobs: WgdPeerJobs,
  ) {}

  @WgdPost('savePeerScheduleJob')
  async save(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    const target = await this.target(request, body);
    if ('status' in target) return target;
    const checked = checkJob(target.job);
    if (!checked.ok) return wgdFail(checked.message);
    const saved = await this.jobs.save(target.configuration, target.record, checked.value.jobId, checked.value.condition);
    return saved.ok ? wgdOk(saved.value) : wgdFail(saved.message);
  }

  @WgdPost('deletePeerScheduleJob')
  async delete(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    const target = await this.target(request, body);
    if ('status' in target) return target;
    const { JobID: jobId, CreationDate: creationDate } = target.job;
    // Upstream's only check: `len(str(CreationDate)) == 0`, which only the empty text meets.
    if (creationDate === '') return wgdFail('Job does not exist');
    if (typeof jobId !== 'string' || jobId === '' || jobId.length > MAX_JOB_ID_LENGTH) return wgdFail(`JobID must be a text of 1 to ${MAX_JOB_ID_LENGTH} characters`);
    await this.jobs.remove(target.configuration.nodeId, jobId);
    return wgdOk([]);
  }

  @Get('getPeerScheduleJobLogs/:configName')
  async logs(@Req() request: WgdRequest, @Param('configName') name: string): Promise<WgdResult> {
    const configuration = await this.peers.configuration(request.wgdGrant!.nodeId, name);
    if (!configuration) return wgdFail('Configuration does not exist');
    return wgdOk(await this.jobs.logsOf(configuration));
  }

  /** Upstream's checks in its order: the Job, its peer and configuration (the peer active), then all nine keys. */
  private async target(request: WgdRequest, body: unknown): Promise<JobTarget | WgdResult> {
    const read = readJobRequest(body);
    if (read.kind === 'fail') return wgdFail(read.message);
    if (read.kind === 'bad-request') throw new WgdHttpError(400, read.message);
    const { job } = read;
    const configuration = await this.peers.configuration(request.wgdGrant!.nodeId, job.Configuration);
    if (!configuration) return wgdFail('Configuration does not exist');
    const record = await this.peers.record(configuration, job.Peer);
    if (!record || record.source.restricted) return wgdFail('Peer does not exist');
    const missing = missingJobKeys(job);
    if (missing.length > 0) throw new WgdHttpError(400, missingKeysMessage(missing));
    return { job, configuration, record };
  }
}
