import { Body, Controller, Get, Query, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { WgdRequest } from '../wgd-auth.guard.js';
import { WgdConfigurations } from '../wgd-configurations.service.js';
import { actorOf, asObject } from '../wgd-request.js';
import { WgdHttpError, wgdOk, type WgdResult } from '../wgd-result.js';
import { WgdPost, WgdRoutes } from '../wgd-routes.decorator.js';
import { backupFieldsGiven } from './backup-fields.js';
import { BackupRestorer } from './backup-restorer.service.js';
import { WgdBackups } from './wgd-backups.service.js';

const NO_CONFIGURATION = 'Configuration does not exist';

/** A configuration's backups (notes §2.12-2.15, 2.17); the download is in BackupDownloadsController. */
@WgdRoutes()
@ApiExcludeController()
@Controller('api')
export class BackupsController {
  constructor(
    private readonly configurations: WgdConfigurations,
    private readonly backups: WgdBackups,
    private readonly restorer: BackupRestorer,
  ) {}

  @Get('getWireguardConfigurationBackup')
  async list(@Req() request: WgdRequest, @Query('configurationName') name: unknown): Promise<WgdResult> {
    const nodeId = request.wgdGrant!.nodeId;
    const record = await this.configurations.find(nodeId, name);
    if (!record) throw new WgdHttpError(404, NO_CONFIGURATION);
    return wgdOk(await this.backups.list(nodeId, record.server.interface));
  }

  @Get('createWireguardConfigurationBackup')
  async create(@Req() request: WgdRequest, @Query('configurationName') name: unknown): Promise<WgdResult> {
    const nodeId = request.wgdGrant!.nodeId;
    const record = await this.configurations.find(nodeId, name);
    if (!record) throw new WgdHttpError(404, NO_CONFIGURATION);
    await this.backups.create(nodeId, record);
    return wgdOk(await this.backups.list(nodeId, record.server.interface));
  }

  @WgdPost('deleteWireguardConfigurationBackup')
  async delete(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    const fields = asObject(body);
    // Upstream's message really spells the keys in lower case here (and not in restore's).
    if (!backupFieldsGiven(fields)) throw new WgdHttpError(400, 'Please provide configurationName and backupFileName in body');
    const nodeId = request.wgdGrant!.nodeId;
    const record = await this.configurations.find(nodeId, fields.ConfigurationName);
    if (!record) throw new WgdHttpError(404, NO_CONFIGURATION);
    if (!(await this.backups.delete(nodeId, record.server.interface, fields.BackupFileName))) throw new WgdHttpError(404, 'Backup file does not exist');
    return wgdOk();
  }

  @Get('getAllWireguardConfigurationBackup')
  async all(@Req() request: WgdRequest): Promise<WgdResult> {
    return wgdOk(await this.backups.all(request.wgdGrant!.nodeId));
  }

  @WgdPost('restoreWireguardConfigurationBackup')
  async restore(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    const fields = asObject(body);
    if (!backupFieldsGiven(fields)) throw new WgdHttpError(400, 'Please provide ConfigurationName and BackupFileName in body');
    const nodeId = request.wgdGrant!.nodeId;
    const record = await this.configurations.find(nodeId, fields.ConfigurationName);
    if (!record) throw new WgdHttpError(404, NO_CONFIGURATION);
    return this.restorer.restore(actorOf(request), nodeId, record, fields.BackupFileName);
  }
}
