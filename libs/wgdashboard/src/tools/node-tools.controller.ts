import { Controller, Get, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { WgdRequest } from '../wgd-auth.guard.js';
import { wgdFail, WgdHttpError, type WgdResult } from '../wgd-result.js';
import { WgdRoutes } from '../wgd-routes.decorator.js';
import { pingParams, tracerouteParams, type ToolParams } from './tool-params.js';
import { WgdNodeTools } from './wgd-node-tools.service.js';

/** Ping, traceroute and system status of the key's node (notes §2.42, §2.43, §2.52). */
@WgdRoutes()
@ApiExcludeController()
@Controller('api')
export class NodeToolsController {
  constructor(private readonly tools: WgdNodeTools) {}

  @Get('ping/execute')
  ping(@Req() request: WgdRequest): Promise<WgdResult> | WgdResult {
    const params = pingParams(request.query);
    if (!params.ok) return refuse(params);
    return this.tools.ping(request.wgdGrant!.nodeId, params.value.address, params.value.count);
  }

  @Get('traceroute/execute')
  traceroute(@Req() request: WgdRequest): Promise<WgdResult> | WgdResult {
    const params = tracerouteParams(request.query);
    if (!params.ok) return refuse(params);
    return this.tools.traceroute(request.wgdGrant!.nodeId, params.value.address);
  }

  @Get('systemStatus')
  systemStatus(@Req() request: WgdRequest): Promise<WgdResult> {
    return this.tools.systemStatus(request.wgdGrant!.nodeId);
  }
}

function refuse(params: Extract<ToolParams<unknown>, { ok: false }>): WgdResult {
  if (params.httpStatus === 400) throw new WgdHttpError(400, params.message);
  return wgdFail(params.message);
}
