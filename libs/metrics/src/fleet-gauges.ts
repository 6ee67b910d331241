import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeerTelemetry } from '@wgfleet/peers';
import { ServerSyncRecords } from '@wgfleet/servers';
import { Gauge, Registry } from 'prom-client';
import { METRIC_PREFIX } from './metrics-registry.js';

interface FleetReadings {
  behind: Array<{ serverId: number; behind: number }>;
  nodes: Array<{ nodeId: number; name: string; reachable: boolean | null }>;
  online: Map<number, number>;
}

/**
 * Gauges read from Postgres when Prometheus scrapes, the same on every replica: generations
 * behind per server, node reachability, peers online per server. One scrape runs one query per
 * reading, whatever the number of servers: the three gauges' collect callbacks share one set of
 * readings. A failed read leaves the gauges empty for that scrape (logged) — /metrics still answers.
 */
@Injectable()
export class FleetGauges {
  private readonly logger = new Logger(FleetGauges.name);
  private readonly behind: Gauge<'server_id'>;
  private readonly reachable: Gauge<'node_id' | 'node'>;
  private readonly online: Gauge<'server_id'>;
  private inFlight: Promise<FleetReadings | null> | null = null;

  constructor(
    @Inject(Registry) registry: Registry,
    private readonly records: ServerSyncRecords,
    private readonly telemetry: PeerTelemetry,
  ) {
    const gauges = this;
    this.behind = new Gauge({
      name: `${METRIC_PREFIX}server_generations_behind`,
      help: "Generations of a server's desired state not yet applied on its node (desired - applied); 0 when in sync.",
      labelNames: ['server_id'],
      registers: [registry],
      async collect() {
        const readings = await gauges.readings();
        this.reset();
        for (const { serverId, behind } of readings?.behind ?? []) this.set({ server_id: serverId }, behind);
      },
    });
    this.reachable = new Gauge({
      name: `${METRIC_PREFIX}node_reachable`,
      help: 'Whether the last push reached the node (1) or not (0); absent for a node never contacted.',
      labelNames: ['node_id', 'node'],
      registers: [registry],
      async collect() {
        const readings = await gauges.readings();
        this.reset();
        for (const node of readings?.nodes ?? []) {
          if (node.reachable !== null) this.set({ node_id: node.nodeId, node: node.name }, node.reachable ? 1 : 0);
        }
      },
    });
    this.online = new Gauge({
      name: `${METRIC_PREFIX}peers_online`,
      help: "Peers of a server with a handshake in the last 180 s, as the status poller's latest polls saw them.",
      labelNames: ['server_id'],
      registers: [registry],
      async collect() {
        const readings = await gauges.readings();
        this.reset();
        for (const { serverId } of readings?.behind ?? []) this.set({ server_id: serverId }, readings!.online.get(serverId) ?? 0);
      },
    });
  }

  /** The readings of the scrape under way: the first gauge to collect starts them, the others share them. */
  private readings(): Promise<FleetReadings | null> {
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async read(): Promise<FleetReadings | null> {
    try {
      const [behind, nodes, online] = await Promise.all([this.records.generationsBehind(), this.records.nodeReachability(), this.telemetry.onlineCountByServer()]);
      return { behind, nodes, online };
    } catch (error) {
      this.logger.warn({ msg: 'metrics: reading the fleet gauges failed', err: error });
      return null;
    }
  }
}
