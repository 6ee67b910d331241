import { Body, Controller, Get, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { WgdRequest } from './wgd-auth.guard.js';
import { toWgdApiKey } from './wgd-api-key-view.js';
import { WgdApiKeys } from './wgd-api-keys.service.js';
import { parseLocalDateTime, strptimeMismatch } from './python-time.js';
import { pythonTruthy } from './python-truthy.js';
import { wgdFail, WgdHttpError, wgdOk, type WgdResult } from './wgd-result.js';
import { actorOf, asObject } from './wgd-request.js';
import { WgdPost, WgdRoutes } from './wgd-routes.decorator.js';

/** The node's WGDashboard keys, managed by their own holders (notes §2.31-2.33). */
@WgdRoutes()
@ApiExcludeController()
@Controller('api')
export class DashboardApiKeysController {
  constructor(private readonly keys: WgdApiKeys) {}

  @Get('getDashboardAPIKeys')
  async list(@Req() request: WgdRequest): Promise<WgdResult> {
    return wgdOk((await this.keys.active(request.wgdGrant!.nodeId)).map((record) => toWgdApiKey(record)));
  }

  /** `NeverExpire` truthy, or `ExpiredAt` as "%Y-%m-%d %H:%M:%S" local time; upstream's error texts otherwise. */
  @WgdPost('newDashboardAPIKey')
  async create(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    const fields = asObject(body);
    if (!('NeverExpire' in fields)) return wgdFail("'NeverExpire'");
    let expiresAt: Date | null = null;
    if (!pythonTruthy(fields.NeverExpire)) {
      if (!('ExpiredAt' in fields)) return wgdFail("'ExpiredAt'");
      const text = fields.ExpiredAt;
      if (typeof text !== 'string') return wgdFail(`strptime() argument 1 must be str, not ${pythonTypeName(text)}`);
      expiresAt = parseLocalDateTime(text);
      if (expiresAt === null) return wgdFail(strptimeMismatch(text));
    }
    const nodeId = request.wgdGrant!.nodeId;
    const { key, record } = await this.keys.issue(actorOf(request), nodeId, expiresAt);
    const active = await this.keys.active(nodeId);
    return wgdOk(active.map((each) => toWgdApiKey(each, each.id === record.id ? key : undefined)));
  }

  @WgdPost('deleteDashboardAPIKey')
  async delete(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    const key = asObject(body).Key;
    // Upstream crashes (500) without a string Key; this says what to send.
    if (typeof key !== 'string') throw new WgdHttpError(400, 'Please provide the Key to delete');
    const nodeId = request.wgdGrant!.nodeId;
    if (!(await this.keys.expire(actorOf(request), nodeId, key))) throw new WgdHttpError(404, 'API Key does not exist');
    return wgdOk((await this.keys.active(nodeId)).map((record) => toWgdApiKey(record)));
  }
}

function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return Array.isArray(value) ? 'list' : 'dict';
}
