import { Controller, Get, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@wgfleet/core';
import { envelope } from '../envelope.js';
import { WgdAuthGuard, type WgdRequest } from '../wgd-auth.guard.js';
import { WgdConfigurations } from '../wgd-configurations.service.js';
import { applyWgdCors } from '../wgd-cors.js';
import { WGD_CONTENT_TYPE } from '../wgd-envelope.interceptor.js';
import { WgdExceptionFilter } from '../wgd-exception.filter.js';
import { WgdNoAuth } from '../wgd-no-auth.decorator.js';
import { WgdBackups } from './wgd-backups.service.js';

/**
 * A backup's download (notes §2.16, 2.53): the API answers a `<uuid>.zip` name, and `/fileDownload`
 * (no key, as upstream) serves that zip. Unlike upstream it serves nothing else: the name must be
 * one a download handed out within the hour, looked up in Postgres by its id, and the zip is built
 * from the backup row; no path is ever formed from the request. The answers are written here rather
 * than through the envelope interceptor: one is a zip, and one is a 404 with a null message.
 */
@Public()
@UseGuards(WgdAuthGuard)
@UseFilters(WgdExceptionFilter)
@ApiExcludeController()
@Controller()
export class BackupDownloadsController {
  constructor(
    private readonly configurations: WgdConfigurations,
    private readonly backups: WgdBackups,
  ) {}

  @Get('api/downloadWireguardConfigurationBackup')
  async download(
    @Req() request: WgdRequest,
    @Res() reply: FastifyReply,
    @Query('configurationName') name: unknown,
    @Query('backupFileName') fileName: unknown,
  ): Promise<void> {
    applyWgdCors(request, reply);
    const nodeId = request.wgdGrant!.nodeId;
    const record = await this.configurations.find(nodeId, name);
    if (!record) return sendEnvelope(reply, 404, false, 'Configuration does not exist', null);
    const zip = await this.backups.download(nodeId, record.server.interface, fileName);
    if (zip === null) return sendEnvelope(reply, 404, false, null, null);
    sendEnvelope(reply, 200, true, null, zip);
  }

  /** Outside `/api`: upstream's flask-cors headers are not sent here either. */
  @Get('fileDownload')
  @WgdNoAuth()
  async fileDownload(@Res() reply: FastifyReply, @Query('file') file: unknown): Promise<void> {
    if (typeof file !== 'string' || file === '') return sendEnvelope(reply, 200, false, 'Please specify a file', null);
    const zip = await this.backups.zipOf(file);
    if (!zip) return sendEnvelope(reply, 200, false, 'File does not exist', null);
    void reply.code(200).header('content-type', 'application/zip').header('content-disposition', `attachment; filename=${file}`).send(zip);
  }
}

function sendEnvelope(reply: FastifyReply, code: number, status: boolean, message: string | null, data: unknown): void {
  void reply.code(code).header('content-type', WGD_CONTENT_TYPE).send(Buffer.from(envelope(status, message, data), 'utf8'));
}
