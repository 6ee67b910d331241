import { Body, Controller, Get, NotFoundException, Query, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { checkConfigurationName } from './configurations/configuration-fields.js';
import { ConfigurationEditor } from './configurations/configuration-editor.service.js';
import type { WgdRequest } from './wgd-auth.guard.js';
import { WgdConfigurations } from './wgd-configurations.service.js';
import { wgdFail, WgdHttpError, wgdOk, type WgdResult } from './wgd-result.js';
import { WgdPost, WgdRoutes } from './wgd-routes.decorator.js';
import { actorOf, asObject } from './wgd-request.js';

/** The configurations of the key's node: its servers, by interface name (notes §2.3-2.11). */
@WgdRoutes()
@ApiExcludeController()
@Controller('api')
export class ConfigurationsController {
  constructor(
    private readonly configurations: WgdConfigurations,
    private readonly editor: ConfigurationEditor,
  ) {}

  @Get('getWireguardConfigurations')
  async list(@Req() request: WgdRequest): Promise<WgdResult> {
    return wgdOk(await this.configurations.list(nodeOf(request)));
  }

  @WgdPost('addWireguardConfiguration')
  async add(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    return this.editor.add(actorOf(request), nodeOf(request), asObject(body));
  }

  @WgdPost('deleteWireguardConfiguration')
  async delete(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    const record = await this.configurations.find(nodeOf(request), asObject(body).ConfigurationName);
    if (!record) throw new WgdHttpError(404, 'Please provide the configuration name you want to delete');
    const refused = await this.configurations.delete(actorOf(request), record);
    return refused === null ? wgdOk() : wgdFail(refused);
  }

  /**
   * 4.2.5's path, and 4.2.0's with the trailing slash (our decision 1). Nest drops a route's trailing
   * slash, so 4.2.0's is the wildcard route, with nothing after the slash.
   */
  @Get(['toggleWireguardConfiguration', 'toggleWireguardConfiguration/*'])
  async toggle(@Req() request: WgdRequest, @Query() query: Record<string, unknown>): Promise<WgdResult> {
    if (!/\/toggleWireguardConfiguration\/?(\?|$)/.test(request.url)) throw new NotFoundException();
    const record = await this.configurations.find(nodeOf(request), query.configurationName);
    if (!record) throw new WgdHttpError(404, 'Please provide a valid configuration name');
    return wgdOk(await this.configurations.toggle(actorOf(request), record));
  }

  @WgdPost('updateWireguardConfiguration')
  async update(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    return this.editor.update(actorOf(request), nodeOf(request), asObject(body));
  }

  @WgdPost('renameWireguardConfiguration')
  async rename(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    const fields = asObject(body);
    const newName = fields.NewConfigurationName;
    const nodeId = nodeOf(request);
    const record = newName === undefined || newName === null || newName === '' ? null : await this.configurations.find(nodeId, fields.ConfigurationName);
    if (!record) throw new WgdHttpError(404, 'Please provide the configuration name you want to rename');
    if ((await this.configurations.find(nodeId, newName)) !== null) return wgdFail('Configuration name already exist');
    const name = checkConfigurationName(newName);
    if (!name.ok) return wgdFail(name.message);
    const refused = await this.configurations.rename(actorOf(request), record, name.value);
    return refused === null ? wgdOk() : wgdFail(refused);
  }

  @Get('getWireguardConfigurationRawFile')
  async rawFile(@Req() request: WgdRequest, @Query() query: Record<string, unknown>): Promise<WgdResult> {
    const record = await this.configurations.find(nodeOf(request), query.configurationName);
    if (!record) throw new WgdHttpError(404, 'Please provide a valid configuration name');
    return this.editor.rawFile(record);
  }

  @WgdPost('updateWireguardConfigurationRawFile')
  async updateRawFile(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    const fields = asObject(body);
    const record = await this.configurations.find(nodeOf(request), fields.configurationName);
    if (!record) return wgdFail('Please provide a valid configuration name');
    const text = fields.rawConfiguration;
    if (typeof text !== 'string' || text.length === 0) return wgdFail('Please provide content');
    return this.editor.updateRawFile(actorOf(request), record, text);
  }

  /** Blocks about one second (two reads of the node's counters), as upstream's does. */
  @Get('getWireguardConfigurationRealtimeTraffic')
  async realtimeTraffic(@Req() request: WgdRequest, @Query() query: Record<string, unknown>): Promise<WgdResult> {
    const nodeId = nodeOf(request);
    const record = await this.configurations.find(nodeId, query.configurationName);
    if (!record) throw new WgdHttpError(404, 'Configuration does not exist');
    return wgdOk(await this.configurations.realtimeTraffic(nodeId, record));
  }
}

const nodeOf = (request: WgdRequest) => request.wgdGrant!.nodeId;
