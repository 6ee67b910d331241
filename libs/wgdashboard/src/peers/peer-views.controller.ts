import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { WgdRequest } from '../wgd-auth.guard.js';
import { wgdFail, WgdHttpError, wgdOk, type WgdResult } from '../wgd-result.js';
import { WgdRoutes } from '../wgd-routes.decorator.js';
import { addressPools, freeAddresses, freeCount, usedAddresses } from './available-ips.js';
import { numberUntitled } from './peer-download.js';
import { WgdPeers, type WgdConfigurationRef, type WgdPeerRecord } from './wgd-peers.service.js';

/** getAvailableIPs lists at most this many free addresses per subnet, as upstream. */
const AVAILABLE_IPS_PER_SUBNET = 255;

/** What a configuration's peers look like: its info, free addresses, downloads (notes §2.27, 2.28, 2.34, 2.35, 2.41). */
@WgdRoutes()
@ApiExcludeController()
@Controller('api')
export class PeerViewsController {
  constructor(private readonly peers: WgdPeers) {}

  @Get('getWireguardConfigurationInfo')
  async info(@Req() request: WgdRequest, @Query('configurationName') name: unknown): Promise<WgdResult> {
    const configuration = await this.peers.configuration(request.wgdGrant!.nodeId, name);
    if (!configuration) return wgdFail('Please provide configuration name');
    const records = await this.peers.records(configuration);
    return wgdOk({
      configurationInfo: configuration.json,
      configurationPeers: this.peers.toJson(configuration, records.filter((record) => !record.source.restricted)),
      configurationRestrictedPeers: this.peers.toJson(configuration, records.filter((record) => record.source.restricted)),
    });
  }

  @Get('getAvailableIPs/:configName')
  async availableIps(@Req() request: WgdRequest, @Param('configName') name: string): Promise<WgdResult> {
    return this.perSubnet(request, name, (pool, used) => freeAddresses(pool, used, AVAILABLE_IPS_PER_SUBNET));
  }

  @Get('getNumberOfAvailableIPs/:configName')
  async numberOfAvailableIps(@Req() request: WgdRequest, @Param('configName') name: string): Promise<WgdResult> {
    return this.perSubnet(request, name, freeCount);
  }

  @Get('downloadPeer/:configName')
  async download(@Req() request: WgdRequest, @Param('configName') name: string, @Query('id') id: unknown): Promise<WgdResult> {
    const configuration = await this.peers.configuration(request.wgdGrant!.nodeId, name);
    if (!configuration) return wgdFail('Configuration does not exist');
    // Upstream answers an HTML 400 without ?id=; this says what to send.
    if (id === undefined) throw new WgdHttpError(400, 'Please provide the peer to download as ?id=<public key>');
    const record = await this.peers.record(configuration, id);
    if (!record || record.source.restricted) return wgdFail('Peer does not exist');
    const file = this.peers.fileOf(configuration, record);
    return file.ok ? wgdOk(file.value) : wgdFail(file.message);
  }

  @Get('downloadAllPeers/:configName')
  async downloadAll(@Req() request: WgdRequest, @Param('configName') name: string): Promise<WgdResult> {
    const configuration = await this.peers.configuration(request.wgdGrant!.nodeId, name);
    if (!configuration) return wgdFail('Configuration does not exist');
    const active = (await this.peers.records(configuration)).filter((record) => !record.source.restricted);
    const files = active.map((record) => this.peers.fileOf(configuration, record));
    // One peer whose stored values no file may hold stops the whole answer: its message says which and how to fix it.
    const refused = files.find((file) => !file.ok);
    if (refused && !refused.ok) return wgdFail(refused.message);
    return wgdOk(numberUntitled(files.flatMap((file) => (file.ok ? [file.value] : []))));
  }

  /** Every active peer of every configuration of the node, by "name - key", with its host addresses. */
  @Get('ping/getAllPeersIpAddress')
  async allPeersIpAddresses(@Req() request: WgdRequest): Promise<WgdResult> {
    const all: Record<string, Record<string, { allowed_ips: string[]; endpoint: string }>> = {};
    for (const configuration of await this.peers.configurations(request.wgdGrant!.nodeId)) {
      const peers: Record<string, { allowed_ips: string[]; endpoint: string }> = {};
      for (const record of (await this.peers.records(configuration)).filter((each) => !each.source.restricted)) {
        const json = this.peers.toJson(configuration, [record])[0]!;
        peers[record.source.name.length > 0 ? `${record.source.name} - ${record.source.publicKey}` : record.source.publicKey] = {
          allowed_ips: hostAddresses(record),
          endpoint: String(json.endpoint).replaceAll(' ', '').replaceAll('(none)', ''),
        };
      }
      all[configuration.server.interface] = peers;
    }
    return wgdOk(all);
  }

  /** `{ "<Address item>": f(pool) }` for each subnet of the configuration; upstream's answer for an unknown name. */
  private async perSubnet<T>(
    request: WgdRequest,
    name: string,
    compute: (pool: ReturnType<typeof addressPools>[number], used: ReadonlySet<string>) => T,
  ): Promise<WgdResult> {
    const configuration = await this.peers.configuration(request.wgdGrant!.nodeId, name);
    if (!configuration) return wgdFail('Configuration does not exist');
    const pools = addressPools(addressItems(configuration));
    const used = usedAddresses(pools, (await this.peers.records(configuration)).map((record) => record.source.allowedIp));
    return wgdOk(Object.fromEntries(pools.map((pool) => [pool.written, compute(pool, used)])));
  }
}

/** The configuration's `Address` items as written (`10.0.0.1/24`, `fd42::1/64`). */
export function addressItems(configuration: WgdConfigurationRef): string[] {
  const address = configuration.json.Address;
  return typeof address === 'string' && address !== '' ? address.split(',').map((item) => item.trim()) : [];
}

/** The peer's single-host items (/32, /128) as bare addresses: what a ping can target. */
function hostAddresses(record: WgdPeerRecord): string[] {
  return record.source.allowedIp
    .replaceAll(' ', '')
    .split(',')
    .filter((item) => (item.endsWith('/32') && !item.includes(':')) || item.endsWith('/128'))
    .map((item) => item.slice(0, item.indexOf('/')));
}
