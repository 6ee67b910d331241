import type { Provider } from '@nestjs/common';
import { PeerJobRunner } from './peer-job-runner.js';
import { PeerJobClock, SystemPeerJobClock } from './peer-job-clock.js';
import { PeerJobsAnnotator } from './peer-jobs.annotator.js';
import { PeerJobsController } from './peer-jobs.controller.js';
import { WgdJobLogEntity } from './wgd-job-log.entity.js';
import { WgdPeerJobEntity } from './wgd-peer-job.entity.js';
import { WgdPeerJobs } from './wgd-peer-jobs.service.js';

/** The peer-jobs part of the WGDashboard module, as wgdashboard.module.ts wires it. */
export const PEER_JOB_ENTITIES = [WgdPeerJobEntity, WgdJobLogEntity];
export const PEER_JOB_CONTROLLERS = [PeerJobsController];
export const PEER_JOB_PROVIDERS: Provider[] = [{ provide: PeerJobClock, useClass: SystemPeerJobClock }, WgdPeerJobs, PeerJobsAnnotator, PeerJobRunner];
export { PeerJobsAnnotator };
