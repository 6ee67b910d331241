import { Injectable } from '@nestjs/common';
import { DesiredStateReader, NodeDriver, type NodeTarget, type NodeToolOutput } from '@wgfleet/node-sync';
import { wgdFail, WgdHttpError, wgdOk, type WgdResult } from '../wgd-result.js';
import { parsePingOutput, toWgdPing } from './ping-output.js';
import { toWgdSystemStatus } from './system-status.js';
import { toolFailure } from './tool-failure.js';
import { parseTracerouteOutput, toWgdTraceroute } from './traceroute-output.js';

/** Upstream's message when its geolocation lookup fails; wgfleet never makes one, so it is always sent. */
export const GEO_OFFLINE_MESSAGE = 'Failed to request IP address geolocation';

/**
 * WGDashboard's ping, traceroute and systemStatus, run on the key's node through the NodeDriver port
 * (over SSH, or as child processes only for a `local` node). Targets and counts arrive validated.
 * The node being unreachable is a business failure (status:false); a name the node cannot resolve is
 * the caller's mistake (400: upstream crashes there).
 */
@Injectable()
export class WgdNodeTools {
  constructor(
    private readonly driver: NodeDriver,
    private readonly nodes: DesiredStateReader,
  ) {}

  ping(nodeId: number, address: string, count: number): Promise<WgdResult> {
    return this.onNode(nodeId, 'ping', (target) => this.driver.ping(target, address, count), (output, target) => {
      const summary = parsePingOutput(output.stdout);
      return summary === null ? this.failure('ping', address, target, output) : wgdOk(toWgdPing(summary));
    });
  }

  traceroute(nodeId: number, address: string): Promise<WgdResult> {
    return this.onNode(nodeId, 'traceroute', (target) => this.driver.traceroute(target, address), (output, target) => {
      // Traceroute exits 0 whether or not the target answered; only an error leaves stdout without hops.
      if (output.exitCode !== 0) return this.failure('traceroute', address, target, output);
      return wgdOk(toWgdTraceroute(parseTracerouteOutput(output.stdout)), GEO_OFFLINE_MESSAGE);
    });
  }

  systemStatus(nodeId: number): Promise<WgdResult> {
    return this.onNode(nodeId, 'system status', (target) => this.driver.systemSnapshot(target), (output, target) => {
      if (output.exitCode !== 0) return this.failure('system status', null, target, output);
      return wgdOk(toWgdSystemStatus(output.stdout));
    });
  }

  private async onNode(
    nodeId: number,
    step: string,
    run: (target: NodeTarget) => Promise<NodeToolOutput>,
    read: (output: NodeToolOutput, target: NodeTarget) => WgdResult,
  ): Promise<WgdResult> {
    let target: NodeTarget | null;
    try {
      target = await this.nodes.targetOfNode(nodeId);
    } catch {
      return wgdFail(`The key's node cannot be reached: its SSH settings cannot be read; an admin must fix the node`);
    }
    if (target === null) return wgdFail("The key's node no longer exists");
    let output: NodeToolOutput;
    try {
      output = await run(target);
    } catch (error) {
      // NodeUnreachableError / HostKeyMismatchError texts name the node and the cause, never a secret.
      return wgdFail(`Cannot run ${step} on node ${target.name}: ${(error as Error).message}`);
    }
    return read(output, target);
  }

  private failure(step: string, address: string | null, target: NodeTarget, output: NodeToolOutput): WgdResult {
    const failure = toolFailure(output);
    if (failure.kind === 'unknown-host' && address !== null) {
      throw new WgdHttpError(400, `Node ${target.name} cannot resolve ${address}: please specify an IP Address (v4/v6) or a host name the node can resolve`);
    }
    return wgdFail(`${step} on node ${target.name} failed: ${failure.kind === 'failed' ? failure.detail : 'name resolution failed'}`);
  }
}
