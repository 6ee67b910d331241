import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { DesiredStateReader } from '@wgfleet/node-sync';
import { CreateServerDto, ServerPlacementDto, ServersService } from '@wgfleet/servers';
import { MTU_RANGE } from '@wgfleet/wireguard';
import { BackupRestorer } from '../backups/backup-restorer.service.js';
import { refusalOf } from '../fleet-refusal.js';
import { firstValidationError } from './first-validation-error.js';
import type { WgdAuditActor } from '../wgd-api-keys.service.js';
import { addressesOf, fleetActorOf, WgdConfigurations, type ConfigurationRecord } from '../wgd-configurations.service.js';
import { wgdFail, WgdHttpError, wgdOk, type WgdResult } from '../wgd-result.js';
import { checkAddress, checkConfigurationName, checkListenPort, checkPrivateKey, checkStoredText, pythonStr, type ConfigurationSubnets } from './configuration-fields.js';
import {
  interfaceSettings,
  peerIdentities,
  peerSetDifference,
  readWgQuickFile,
  renderServerFile,
  type StoredHooks,
} from './raw-file.js';

const HOOK_KEYS = ['PreUp', 'PreDown', 'PostUp', 'PostDown'] as const;
/** What upstream's update reads with `data[key]` (4.2.3+): each must be sent. */
const UPDATE_KEYS = ['Address', 'PreUp', 'PostUp', 'PreDown', 'PostDown', 'ListenPort', 'Table'] as const;
const PLAIN_LABEL = /^[A-Za-z0-9_.-]{1,15}$/;

/**
 * The writes of a configuration's settings: add, update and the raw wg-quick file. Every change goes
 * through ServersService (its validation, the node's conflict checks, the audit log); the hooks go
 * to this module's own table in the same transaction.
 */
@Injectable()
export class ConfigurationEditor {
  constructor(
    private readonly configurations: WgdConfigurations,
    private readonly servers: ServersService,
    private readonly reader: DesiredStateReader,
    private readonly restorer: BackupRestorer,
  ) {}

  /** notes §2.4: upstream's checks and messages first, then ours (upstream checks no format at all). */
  async add(actor: WgdAuditActor, nodeId: number, fields: Record<string, unknown>): Promise<WgdResult> {
    for (const key of ['ConfigurationName', 'Address', 'ListenPort', 'PrivateKey', 'Protocol']) {
      if (!(key in fields)) return wgdFail('Please provide all required parameters.');
    }
    // No AmneziaWG here: `wg` is the only protocol this node offers.
    if (fields.Protocol !== 'wg') return wgdFail('Please provide a valid protocol: wg / awg.');
    for (const { server } of await this.configurations.records(nodeId)) {
      if (server.interface === fields.ConfigurationName) {
        return wgdFail(`Already have a configuration with the name "${pythonStr(fields.ConfigurationName)}"`, 'ConfigurationName');
      }
      if (String(server.listenPort) === pythonStr(fields.ListenPort)) {
        return wgdFail(`Already have a configuration with the port "${pythonStr(fields.ListenPort)}"`, 'ListenPort');
      }
      if (addressesOf(server).join(', ') === fields.Address) {
        return wgdFail(`Already have a configuration with the address "${pythonStr(fields.Address)}"`, 'Address');
      }
    }
    const name = checkConfigurationName(fields.ConfigurationName);
    if (!name.ok) return wgdFail(name.message);
    // From a backup of the node's: its key, addresses, port, hooks and the operator's peers.
    if ('Backup' in fields) return this.restorer.restoreInto(actor, nodeId, name.value, fields.Backup);
    const privateKey = checkPrivateKey(fields.PrivateKey);
    if (!privateKey.ok) return wgdFail(privateKey.message);
    const port = checkListenPort(fields.ListenPort);
    if (!port.ok) return wgdFail(port.message);
    const subnets = checkAddress(fields.Address);
    if (!subnets.ok) return wgdFail(subnets.message);
    const hooks: StoredHooks = { PreUp: '', PreDown: '', PostUp: '', PostDown: '', Table: '' };
    for (const key of HOOK_KEYS) {
      if (fields[key] === undefined || fields[key] === null) continue;
      const hook = checkStoredText(key, fields[key]);
      if (!hook.ok) return wgdFail(hook.message);
      hooks[key] = hook.value;
    }
    const input = plainToInstance(CreateServerDto, {
      name: PLAIN_LABEL.test(name.value) ? name.value : 'WGDashboard configuration',
      location: 'WGDashboard',
      interface: name.value,
      listen_port: port.value,
      ipv4_subnet: subnets.value.ipv4Subnet,
      ipv6_subnet: subnets.value.ipv6Subnet,
    });
    const invalid = await firstValidationError(input);
    if (invalid) return wgdFail(invalid);
    return this.refusedAsFailure(async () => {
      // Upstream writes the file and does not start it: a new configuration is created switched off,
      // its public key not shown until it is first brought up (upstream has not read the file yet).
      await this.servers.create(fleetActorOf(actor), nodeId, input, {
        privateKey: privateKey.value,
        enabled: false,
        inTransaction: (manager, serverId) => this.configurations.saveHooks(manager, serverId, hooks, { publicKeyHidden: true }),
      });
      return wgdOk();
    });
  }

  /**
   * notes §2.7. A missing key is HTTP 400 naming it (upstream: a 500 after taking the interface
   * down). Like upstream's `wg-quick up` at the end, the configuration is switched on.
   */
  async update(actor: WgdAuditActor, nodeId: number, fields: Record<string, unknown>): Promise<WgdResult> {
    if (!('Name' in fields)) return wgdFail('Please provide these following field: Name');
    const record = await this.configurations.find(nodeId, fields.Name);
    if (!record) throw new WgdHttpError(404, 'Configuration does not exist');
    for (const key of UPDATE_KEYS) {
      if (!(key in fields)) throw new WgdHttpError(400, `Please provide these following field: ${key}`);
    }
    const subnets = checkAddress(fields.Address);
    if (!subnets.ok) return wgdFail(subnets.message);
    const port = checkListenPort(fields.ListenPort);
    if (!port.ok) return wgdFail(port.message);
    const hooks = { ...record.hooks };
    for (const key of [...HOOK_KEYS, 'Table'] as const) {
      const value = checkStoredText(key, fields[key]);
      if (!value.ok) return wgdFail(value.message);
      hooks[key] = value.value;
    }
    const result = await this.apply(actor, record, { subnets: subnets.value, listenPort: port.value, mtu: record.server.mtu, hooks });
    if (result) return result;
    const [updated] = await this.configurations.objects([(await this.configurations.find(nodeId, record.server.interface))!]);
    return wgdOk(updated, '');
  }

  /** notes §2.9: the server's file as wg-quick would hold it, peers included (what the node is pushed). */
  async rawFile(record: ConfigurationRecord): Promise<WgdResult> {
    const snapshot = await this.reader.read(record.server.id);
    if (!snapshot) throw new WgdHttpError(404, 'Please provide a valid configuration name');
    const peersConfig = snapshot.desired.peersConfig;
    const firstPeer = peersConfig.indexOf('[Peer]');
    const content = renderServerFile({
      privateKey: record.privateKey,
      addresses: addressesOf(record.server),
      listenPort: record.server.listenPort,
      mtu: record.server.mtu,
      hooks: record.hooks,
      peerSections: firstPeer < 0 ? '' : peersConfig.slice(firstPeer),
    });
    // A path for display only: nothing is read or written there by this API.
    return wgdOk({ content, path: `/etc/wireguard/${record.server.interface}.conf` });
  }

  /**
   * notes §2.10: [Interface] settings are applied (key, addresses, port, MTU; hooks and Table
   * stored); the [Peer] sections must be the current peers, since peers have their own calls.
   */
  async updateRawFile(actor: WgdAuditActor, record: ConfigurationRecord, text: string): Promise<WgdResult> {
    const sections = readWgQuickFile(text);
    if (!sections.ok) return wgdFail(sections.message);
    const settings = interfaceSettings(sections.value.iface);
    if (!settings.ok) return wgdFail(settings.message);
    const { privateKey, address, listenPort, mtu, hooks } = settings.value;
    if (privateKey === undefined || address === undefined || listenPort === undefined) {
      return wgdFail('Invalid configuration file: [Interface] needs PrivateKey, Address and ListenPort');
    }
    const key = checkPrivateKey(privateKey);
    if (!key.ok) return wgdFail(key.message);
    const subnets = checkAddress(address);
    if (!subnets.ok) return wgdFail(subnets.message);
    const port = checkListenPort(listenPort);
    if (!port.ok) return wgdFail(port.message);
    const mtuValue = mtu === undefined ? null : /^[0-9]{1,5}$/.test(mtu) ? Number(mtu) : NaN;
    if (mtuValue !== null && !(mtuValue >= MTU_RANGE.min && mtuValue <= MTU_RANGE.max)) {
      return wgdFail(`Invalid configuration file: MTU must be an integer from ${MTU_RANGE.min} to ${MTU_RANGE.max}`);
    }
    for (const name of [...HOOK_KEYS, 'Table'] as const) {
      // Lines are split already; a lone CR or a NUL would still corrupt the file this shows back.
      const checked = checkStoredText(name, hooks[name]);
      if (!checked.ok) return wgdFail(checked.message);
    }
    const given = peerIdentities(sections.value.peers);
    if (!given.ok) return wgdFail(given.message);
    const snapshot = await this.reader.read(record.server.id);
    if (!snapshot) return wgdFail('Please provide a valid configuration name');
    const current = readWgQuickFile(snapshot.desired.peersConfig);
    const currentPeers = current.ok ? peerIdentities(current.value.peers) : current;
    if (!currentPeers.ok) throw new Error(`the rendered peers of server ${record.server.id} do not read back: ${currentPeers.message}`);
    const difference = peerSetDifference(currentPeers.value, given.value);
    if (difference) return wgdFail(difference);
    const newKey = key.value === record.privateKey ? undefined : key.value;
    return (await this.apply(actor, record, { subnets: subnets.value, listenPort: port.value, mtu: mtuValue, hooks, privateKey: newKey })) ?? wgdOk();
  }

  /** The server's new settings in one update (only what changed), the hooks with it, then switched on. Null on success. */
  private async apply(
    actor: WgdAuditActor,
    record: ConfigurationRecord,
    change: { subnets: ConfigurationSubnets; listenPort: number; mtu: number | null; hooks: StoredHooks; privateKey?: string },
  ): Promise<WgdResult | null> {
    const { server } = record;
    const patch: Record<string, unknown> = {};
    if (change.listenPort !== server.listenPort) patch.listen_port = change.listenPort;
    if (change.subnets.ipv4Subnet !== server.ipv4Subnet) patch.ipv4_subnet = change.subnets.ipv4Subnet;
    if (change.subnets.ipv6Subnet !== server.ipv6Subnet) patch.ipv6_subnet = change.subnets.ipv6Subnet;
    if (change.mtu !== server.mtu) patch.mtu = change.mtu;
    const input = plainToInstance(ServerPlacementDto, patch);
    const invalid = await firstValidationError(input);
    if (invalid) return wgdFail(invalid);
    const failure = await this.refusedAsFailure(async () => {
      await this.servers.update(fleetActorOf(actor), server.id, input, {
        privateKey: change.privateKey,
        inTransaction: (manager, serverId) => this.configurations.saveHooks(manager, serverId, change.hooks),
      });
      // Upstream ends both writes with `wg-quick up`: the configuration runs afterwards.
      await this.configurations.ensureUp(actor, server.id);
      return wgdOk();
    });
    return failure.status === true ? null : failure;
  }

  /** The fleet's refusals (a taken port, an overlapping subnet, users outside a new subnet) as upstream-style failures. */
  private async refusedAsFailure(work: () => Promise<WgdResult>): Promise<WgdResult> {
    const outcome = await refusalOf(work);
    return outcome.ok ? outcome.value : wgdFail(outcome.message);
  }
}
