import { Body, Controller, Param, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WgdSettings } from '../settings/wgd-settings.service.js';
import { WgdConfigurations } from '../wgd-configurations.service.js';
import type { WgdRequest } from '../wgd-auth.guard.js';
import { actorOf, asObject } from '../wgd-request.js';
import { wgdFail, WgdHttpError, wgdOk, type WgdResult } from '../wgd-result.js';
import { WgdPost, WgdRoutes } from '../wgd-routes.decorator.js';
import { ADD_PEERS_FAILED, planAddPeers } from './add-peers-plan.js';
import { addressPools, usedAddresses } from './available-ips.js';
import { PEER_SETTINGS_KEYS, planPeerUpdate } from './peer-update-plan.js';
import { addressItems } from './peer-views.controller.js';
import { WgdPeerActions } from './wgd-peer-actions.service.js';
import { WgdPeers, type WgdConfigurationRef, type WgdPeerRecord } from './wgd-peers.service.js';

/**
 * What changes a configuration's peers (notes §2.18-2.22, 2.26). Every change is a write to Postgres
 * that the reconciler pushes to the node; nothing here touches the node itself.
 */
@WgdRoutes()
@ApiExcludeController()
@Controller('api')
export class PeerChangesController {
  constructor(
    private readonly peers: WgdPeers,
    private readonly actions: WgdPeerActions,
    private readonly settings: WgdSettings,
    private readonly configurations: WgdConfigurations,
  ) {}

  @WgdPost('addPeers/:configName')
  async add(@Req() request: WgdRequest, @Param('configName') name: string, @Body() body: unknown): Promise<WgdResult> {
    const nodeId = request.wgdGrant!.nodeId;
    const configuration = await this.peers.configuration(nodeId, name);
    if (!configuration) return wgdFail('Configuration does not exist');
    // Upstream's whole handler is one try: a body that is not an object ends in its catch-all.
    if (asObject(body) !== body) return wgdFail(ADD_PEERS_FAILED);
    const records = await this.peers.records(configuration);
    const pools = addressPools(addressItems(configuration));
    const plan = planAddPeers(asObject(body), {
      pools,
      used: usedAddresses(pools, records.map((record) => record.source.allowedIp)),
      publicKeys: new Set(records.map((record) => record.source.publicKey)),
      defaults: await this.settings.peerDefaults(nodeId),
      now: new Date(),
    });
    if (!plan.ok) return wgdFail(plan.message);
    await this.startIfDown(request, configuration);
    const created = await this.actions.add(actorOf(request), configuration, plan.peers);
    if (!created.ok) return wgdFail(created.message);
    // The configuration as it is now (its peer count), embedded in each new peer as upstream does.
    const after = (await this.peers.configuration(nodeId, name))!;
    return wgdOk(this.peers.toJson(after, await this.peers.recordsOf(after, created.value)));
  }

  @WgdPost('updatePeerSettings/:configName')
  async update(@Req() request: WgdRequest, @Param('configName') name: string, @Body() body: unknown): Promise<WgdResult> {
    const fields = asObject(body);
    // Upstream reads `id` first and crashes (500) without it; then the other keys, only for a known configuration.
    if (typeof fields.id !== 'string') throw new WgdHttpError(400, 'Please provide the id (public key) of the peer to update');
    const configuration = fields.id === '' ? null : await this.peers.configuration(request.wgdGrant!.nodeId, name);
    if (!configuration) return wgdFail('Peer does not exist');
    const missing = PEER_SETTINGS_KEYS.filter((key) => !(key in fields));
    if (missing.length > 0) throw new WgdHttpError(400, `Please provide ${missing.join(', ')}`);
    const records = await this.peers.records(configuration);
    const record = records.find((each) => each.source.publicKey === fields.id && !each.source.restricted);
    if (!record) return wgdFail('Peer does not exist');
    const plan = planPeerUpdate(fields, {
      publicKey: record.source.publicKey,
      pools: addressPools(addressItems(configuration)),
      otherAllowedIps: records.filter((each) => each !== record && !each.source.restricted).map((each) => each.source.allowedIp),
    });
    if (!plan.ok) return wgdFail(plan.message);
    await this.startIfDown(request, configuration);
    const updated = await this.actions.update(actorOf(request), configuration, record, plan.change);
    if (!updated.ok) return wgdFail(updated.message);
    return updated.value === null ? wgdFail('Peer does not exist') : wgdOk();
  }

  @WgdPost('resetPeerData/:configName')
  async resetData(@Req() request: WgdRequest, @Param('configName') name: string, @Body() body: unknown): Promise<WgdResult> {
    const { id, type } = asObject(body);
    // Upstream reads both keys first and crashes (500) without them.
    if (typeof id !== 'string' || type === undefined) throw new WgdHttpError(400, 'Please provide id (public key) and type (total, receive or sent)');
    const configuration = id === '' ? null : await this.peers.configuration(request.wgdGrant!.nodeId, name);
    const record = configuration && (await this.peers.record(configuration, id));
    if (!record || record.source.restricted) return wgdFail('Configuration/Peer does not exist');
    if (type !== 'total' && type !== 'receive' && type !== 'sent') return { status: false, message: null, data: null };
    await this.actions.resetTraffic(record, type);
    return wgdOk();
  }

  @WgdPost('deletePeers/:configName')
  async delete(@Req() request: WgdRequest, @Param('configName') name: string, @Body() body: unknown): Promise<WgdResult> {
    const keys = peerKeys(body);
    const configuration = await this.peers.configuration(request.wgdGrant!.nodeId, name);
    if (!configuration) throw new WgdHttpError(404, 'Configuration does not exist');
    if (keys.length === 0) throw new WgdHttpError(400, 'Please specify one or more peers');
    await this.startIfDown(request, configuration);
    const found = await this.activeAmong(configuration, keys);
    const deleted = await this.actions.delete(actorOf(request), configuration, found);
    // Upstream means to answer this 404 but crashes on it (4.2.3+); this is the answer it means.
    if (deleted.length === 0) throw new WgdHttpError(404, 'No peer(s) to delete found');
    if (deleted.length === keys.length) return wgdOk(null, `Deleted ${deleted.length} peer(s)`);
    // Upstream counts only failed commands as failures, never keys it did not find.
    return wgdFail(`Deleted ${deleted.length} peer(s) successfully. Failed to delete 0 peer(s)`);
  }

  @WgdPost('restrictPeers/:configName')
  async restrict(@Req() request: WgdRequest, @Param('configName') name: string, @Body() body: unknown): Promise<WgdResult> {
    const keys = peerKeys(body);
    const configuration = await this.peers.configuration(request.wgdGrant!.nodeId, name);
    if (!configuration) throw new WgdHttpError(404, 'Configuration does not exist');
    if (keys.length === 0) return wgdFail('Please specify one or more peers');
    await this.startIfDown(request, configuration);
    const restricted = await this.actions.restrict(actorOf(request), configuration, await this.activeAmong(configuration, keys));
    if (restricted.length === keys.length) return wgdOk(null, `Restricted ${restricted.length} peer(s)`);
    return wgdFail(`Restricted ${restricted.length} peer(s) successfully. Failed to restrict 0 peer(s)`);
  }

  /** Upstream stops at the first key that is not restricted, keeping the ones before it allowed. */
  @WgdPost('allowAccessPeers/:configName')
  async allow(@Req() request: WgdRequest, @Param('configName') name: string, @Body() body: unknown): Promise<WgdResult> {
    const keys = peerKeys(body);
    const configuration = await this.peers.configuration(request.wgdGrant!.nodeId, name);
    if (!configuration) return wgdFail('Configuration does not exist');
    if (keys.length === 0) return wgdFail('Please specify one or more peers');
    await this.startIfDown(request, configuration);
    const restricted = new Map((await this.peers.records(configuration)).filter((record) => record.source.restricted).map((record) => [record.source.publicKey, record]));
    const allowed: WgdPeerRecord[] = [];
    let refused: string | null = null;
    for (const key of keys) {
      const record = restricted.get(key);
      if (!record) {
        refused = key;
        break;
      }
      allowed.push(record);
      restricted.delete(key);
    }
    await this.actions.allow(actorOf(request), configuration, allowed);
    return refused === null ? wgdOk(null, 'Allow access successfully') : wgdFail(`Failed to allow access of peer ${refused}`);
  }

  /** Upstream brings a stopped configuration up before it changes its peers (`wg-quick up`). */
  private async startIfDown(request: WgdRequest, configuration: WgdConfigurationRef): Promise<void> {
    await this.configurations.ensureUp(actorOf(request), configuration.server.id);
  }

  private async activeAmong(configuration: WgdConfigurationRef, keys: string[]): Promise<WgdPeerRecord[]> {
    const wanted = new Set(keys);
    return (await this.peers.records(configuration)).filter((record) => !record.source.restricted && wanted.has(record.source.publicKey));
  }
}

/** `peers`: a list of public keys. Upstream crashes (500) on anything else; this says what to send. */
function peerKeys(body: unknown): string[] {
  const peers = asObject(body).peers;
  if (!Array.isArray(peers) || !peers.every((key) => typeof key === 'string')) {
    throw new WgdHttpError(400, 'Please provide peers as a list of public keys');
  }
  return peers as string[];
}
