import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { PeerTelemetry, PlanEnforcer } from '@wgfleet/peers';
import { parseWgDump } from '@wgfleet/wireguard';
import { DesiredStateReader } from './desired-state.reader.js';
import { InterfaceMissingError, NodeDriver, type NodeTarget } from './node-driver.js';
import { PollClaims } from './poll-claims.js';
import { ReconcilerOptions } from './reconciler-options.js';

const MAX_CONCURRENT_POLLS = 8;

/**
 * Reads live status: one `wg show IF dump` per server per interval, parsed by the core and
 * recorded by PeerTelemetry (cumulative bytes, last handshake). The API reads what was recorded,
 * never the node. A node that cannot be reached keeps its last figures; a missing interface reads
 * as down. Runs where the reconciler runs (`enabled`) and on the same servers (`scope`).
 *
 * Replicas: every replica with the reconciler on runs this timer, but a pass dumps only the servers
 * it claims (PollClaims): the live replicas share the servers evenly, and each server is polled by
 * one replica per interval. A replica that dies stops renewing its heartbeat and claims, and the
 * others take its servers over within about one interval after its leases run out.
 */
@Injectable()
export class StatusPoller implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(StatusPoller.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly reader: DesiredStateReader,
    private readonly driver: NodeDriver,
    private readonly telemetry: PeerTelemetry,
    private readonly options: ReconcilerOptions,
    private readonly claims: PollClaims,
    private readonly plans: PlanEnforcer,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.enabled) return;
    this.timer = setInterval(() => void this.pollAll(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    if (this.options.enabled) {
      // Another replica need not wait for these claims to lapse; if the database is gone, they lapse anyway.
      await this.claims.releaseAll().catch((error: unknown) => this.logger.warn({ msg: 'could not release the poll claims', err: error }));
    }
  }

  /**
   * One pass over every server in scope; a pass still running is not started twice. Never rejects:
   * it runs from a timer, where a rejection would be unhandled and end the process.
   */
  pollAll(): Promise<void> {
    this.running ??= this.pass()
      .catch((error: unknown) => this.logger.warn({ msg: 'status poll pass failed', err: error }))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async pass(): Promise<void> {
    const scope = this.options.scope;
    const { targets, unreadable } = await this.reader.pollTargets((serverId) => scope === null || scope(serverId));
    for (const node of unreadable) this.logger.warn({ msg: 'node skipped by the status poller', nodeId: node.nodeId, node: node.name, reason: node.reason });
    // A server deleted since it was listed fails the claim (its row is gone): this pass is skipped, the next one claims the rest.
    const mine = await this.claims.claim(targets.map((target) => target.serverId), this.options.pollIntervalMs);
    const queue = targets.filter((target) => mine.has(target.serverId));
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await this.pollOne(next.serverId, next.target, next.interfaceName);
    };
    await Promise.all(Array.from({ length: Math.min(MAX_CONCURRENT_POLLS, queue.length) }, worker));
  }

  async pollOne(serverId: number, target: NodeTarget, interfaceName: string): Promise<void> {
    const polledAt = new Date();
    try {
      const dump = parseWgDump(await this.driver.dump(target, interfaceName));
      await this.telemetry.record(serverId, { polledAt, interfaceUp: true, peers: dump.peers });
      // A data limit crossed in this poll is enforced now: within one poll interval.
      await this.plans.afterPoll(serverId).catch((error: unknown) => this.logger.warn({ msg: 'data limits not checked after a poll', serverId, err: error }));
    } catch (error) {
      if (error instanceof InterfaceMissingError) {
        await this.telemetry.record(serverId, { polledAt, interfaceUp: false, peers: [] });
        return;
      }
      // Unreachable nodes are the reconciler's to report (node health); keep the last figures.
      this.logger.debug({ msg: 'status poll failed', serverId, node: target.name, error: (error as Error).name });
    }
  }
}
