import { Injectable } from '@nestjs/common';
import type { PeerAnnotator } from '../peers/peer-annotations.js';
import type { WgdConfigurationRef } from '../peers/wgd-peers.service.js';
import { jobJson, type StoredJob } from './peer-job.js';
import { WgdPeerJobs } from './wgd-peer-jobs.service.js';

/** A peer object's `jobs`: its active schedule jobs, oldest first (upstream's `searchJob`). */
@Injectable()
export class PeerJobsAnnotator implements PeerAnnotator {
  readonly field = 'jobs' as const;

  constructor(private readonly jobs: WgdPeerJobs) {}

  async forConfiguration(configuration: WgdConfigurationRef): Promise<Map<string, unknown[]>> {
    const byPeer = new Map<string, unknown[]>();
    for (const job of await this.jobs.activeOnServer(configuration.server.id)) {
      const list = byPeer.get(job.peer) ?? [];
      list.push(jobJson(job as StoredJob, configuration.server.interface));
      byPeer.set(job.peer, list);
    }
    return byPeer;
  }
}
