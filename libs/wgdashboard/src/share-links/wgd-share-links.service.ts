import { Injectable } from '@nestjs/common';
import { OperatorPeers } from '@wgfleet/peers';
import { WgdPeers } from '../peers/wgd-peers.service.js';
import { formatLocalDateTime } from '../python-time.js';
import type { WgdAuditActor } from '../wgd-api-keys.service.js';
import { wgdFail, WgdHttpError, wgdOk, type WgdResult } from '../wgd-result.js';
import { isShareLinkActive, readExpireDate, toShareLinkJson } from './share-link.js';
import { WgdShareLinkStore } from './wgd-share-link-store.service.js';
import type { WgdShareLinkEntity } from './wgd-share-link.entity.js';

const ALREADY_SHARING = 'This peer is already sharing. Please view data for shared link.';
const NO_SUCH_PEER = "The peer you're looking for does not exist";

/**
 * Share links (notes §2.23-2.25): a ShareID opens one peer's wg-quick file without a key. Links
 * are made only for peers that exist on the key's node (upstream stores any names), belong to that
 * peer, and resolve only inside their node.
 */
@Injectable()
export class WgdShareLinks {
  constructor(
    private readonly store: WgdShareLinkStore,
    private readonly peers: WgdPeers,
    private readonly operatorPeers: OperatorPeers,
  ) {}

  async create(actor: WgdAuditActor, nodeId: number, fields: Record<string, unknown>, now = new Date()): Promise<WgdResult> {
    const { Configuration: name, Peer: publicKey } = fields;
    if (name === undefined || name === null || publicKey === undefined || publicKey === null) return wgdFail('Please specify configuration and peers');
    const expireDate = expireDateOf(fields);
    const configuration = await this.peers.configuration(nodeId, name);
    if (!configuration) return wgdFail('Configuration does not exist');
    const user = (await this.operatorPeers.onServer(configuration.server.id)).find((each) => each.publicKey === publicKey);
    if (!user) return wgdFail('Peer does not exist');
    const nowText = formatLocalDateTime(now);
    const target = { nodeId, serverId: configuration.server.id, userId: user.id, configuration: configuration.server.interface, peer: user.publicKey };
    const outcome = await this.store.create(actor, target, expireDate, nowText);
    if (outcome.kind === 'peer-gone') return wgdFail('Peer does not exist');
    const json = toShareLinkJson(outcome.link, configuration.server.interface, outcome.link.peer);
    if (outcome.kind === 'existing') return wgdOk(json, ALREADY_SHARING);
    return wgdOk(isShareLinkActive(outcome.link.expireDate, nowText) ? [json] : []);
  }

  async update(actor: WgdAuditActor, nodeId: number, fields: Record<string, unknown>, now = new Date()): Promise<WgdResult> {
    if (fields.ShareID === undefined || fields.ShareID === null) return wgdFail('Please specify ShareID');
    const expireDate = expireDateOf(fields);
    const nowText = formatLocalDateTime(now);
    const link = await this.store.updateExpireDate(actor, nodeId, fields.ShareID, expireDate, nowText);
    if (!link) return wgdFail('ShareID does not exist');
    if (!isShareLinkActive(link.expireDate, nowText)) return wgdOk([]);
    const configuration = await this.configurationOf(link);
    return wgdOk([toShareLinkJson(link, configuration?.server.interface ?? link.configuration, link.peer)]);
  }

  /** The open route: the peer's file, and nothing else of its node. */
  async file(shareId: unknown, now = new Date()): Promise<WgdResult> {
    // Werkzeug's args.get: the first of repeated parameters.
    const id = Array.isArray(shareId) ? shareId[0] : shareId;
    if (typeof id !== 'string' || id === '') return wgdFail('Please provide ShareID');
    const link = await this.store.activeById(id, formatLocalDateTime(now));
    if (!link) return wgdFail('This link is either expired to invalid');
    const configuration = await this.configurationOf(link);
    if (!configuration) return wgdFail(NO_SUCH_PEER);
    const record = await this.peers.record(configuration, link.peer);
    // Upstream searches the configuration's active peers only: a restricted peer is not shared.
    if (!record || record.user.id !== link.userId || record.source.restricted) return wgdFail(NO_SUCH_PEER);
    const file = this.peers.fileOf(configuration, record);
    return file.ok ? wgdOk(file.value) : wgdFail(file.message);
  }

  /** The link's configuration on its own node, under its name of now. */
  private async configurationOf(link: WgdShareLinkEntity) {
    return (await this.peers.configurations(link.nodeId)).find((configuration) => configuration.server.id === link.serverId) ?? null;
  }
}

/** Upstream stores any ExpireDate and crashes on some; this says what to send. */
function expireDateOf(fields: Record<string, unknown>): string | null {
  const expireDate = readExpireDate(fields.ExpireDate);
  if (!expireDate.ok) throw new WgdHttpError(400, expireDate.message);
  return expireDate.value;
}
