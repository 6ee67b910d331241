import { Body, Controller, Get, Query, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { WgdRequest } from '../wgd-auth.guard.js';
import { WgdNoAuth } from '../wgd-no-auth.decorator.js';
import { actorOf, asObject } from '../wgd-request.js';
import type { WgdResult } from '../wgd-result.js';
import { WgdPost, WgdRoutes } from '../wgd-routes.decorator.js';
import { WgdShareLinks } from './wgd-share-links.service.js';

/** sharePeer/create, update (the key's node), and get (open: the ShareID is the credential). */
@WgdRoutes()
@ApiExcludeController()
@Controller('api')
export class ShareLinksController {
  constructor(private readonly shareLinks: WgdShareLinks) {}

  @WgdPost('sharePeer/create')
  create(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    return this.shareLinks.create(actorOf(request), request.wgdGrant!.nodeId, asObject(body));
  }

  @WgdPost('sharePeer/update')
  update(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    return this.shareLinks.update(actorOf(request), request.wgdGrant!.nodeId, asObject(body));
  }

  /** Whoever holds the ID gets the file, whatever key (if any) comes along. */
  @Get('sharePeer/get')
  @WgdNoAuth()
  get(@Query('ShareID') shareId: unknown): Promise<WgdResult> {
    return this.shareLinks.file(shareId);
  }
}
