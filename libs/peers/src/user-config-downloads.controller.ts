import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { QRCodeErrorCorrectionLevel } from 'qrcode';
import { AppError, CurrentPrincipal, ParseIdPipe, type Principal } from '@wgfleet/core';
import { confAttachment } from './config-attachment.js';
import { qrFitOf, qrPng, qrSvg } from './config-qr.js';
import { PeersService } from './peers.service.js';
import { clientConfigOf } from './user-config.js';

const BINARY = { schema: { type: 'string', format: 'binary' } };
const TEXT = { schema: { type: 'string' } };
const PROBLEM = { 'application/problem+json': { schema: { type: 'object' } } };
const SAME_AS_USER =
  'The same config as `config` of `GET /api/wg/users/{id}`, with the same auth, rate limit and answers: ' +
  "401 without a valid key, 403 for another account's user or an operator's peer, 404 for a missing one. " +
  'It holds the private key, so it is sent with `Cache-Control: no-store`.';
const NO_QR =
  'No QR code: wgfleet does not keep this user\'s private key (it was created with its own `public_key`), so a ' +
  'scanned config could not connect — download `config.conf` and fill in the key; or the config is too long for ' +
  'any QR code (many `allowed_ips`).';

/** A user's client config as a download and as QR codes for the WireGuard phone apps. */
@ApiTags('users')
@Controller('api/wg/users')
export class UserConfigDownloadsController {
  constructor(private readonly peers: PeersService) {}

  @Get(':id/config.conf')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({
    summary: "Download a user's wg-quick file as <client_name>.conf",
    description: `${SAME_AS_USER} Without a kept private key the file has the placeholder line \`PrivateKey = <insert your private key>\`.`,
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'the wg-quick file, as an attachment',
    content: { 'text/plain': TEXT },
    headers: { 'Content-Disposition': { description: 'attachment; filename="<client_name>.conf"', schema: { type: 'string' } } },
  })
  async conf(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { clientName, config } = await this.configOf(principal, id);
    void reply.header('Content-Disposition', confAttachment(clientName));
    return config;
  }

  @Get(':id/config.png')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'image/png')
  @ApiOperation({ summary: "A user's config as a QR code (PNG), for the WireGuard mobile apps", description: SAME_AS_USER })
  @ApiProduces('image/png')
  @ApiOkResponse({ description: 'a QR code of the wg-quick file, 4 pixels per module', content: { 'image/png': BINARY } })
  @ApiResponse({ status: 409, description: NO_QR, content: PROBLEM })
  async png(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number): Promise<Buffer> {
    const { text, level } = await this.qrOf(principal, id);
    return qrPng(text, level);
  }

  @Get(':id/config.svg')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'image/svg+xml; charset=utf-8')
  @ApiOperation({ summary: "A user's config as a QR code (SVG), for the WireGuard mobile apps", description: SAME_AS_USER })
  @ApiProduces('image/svg+xml')
  @ApiOkResponse({ description: 'a QR code of the wg-quick file; the viewBox counts modules', content: { 'image/svg+xml': TEXT } })
  @ApiResponse({ status: 409, description: NO_QR, content: PROBLEM })
  async svg(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number): Promise<string> {
    const { text, level } = await this.qrOf(principal, id);
    return qrSvg(text, level);
  }

  /** The config exactly as GET /api/wg/users/{id} renders it (clientConfigOf), after the same checks. */
  private async configOf(principal: Principal, id: number): Promise<{ clientName: string; config: string; keyKept: boolean }> {
    const { user, context } = await this.peers.resolveUser(principal, id);
    const secrets = await this.peers.secretsOf(user);
    return { clientName: user.clientName, config: clientConfigOf(user, context.server, context.node, secrets), keyKept: secrets.privateKey !== null };
  }

  // A QR code exists to be scanned straight into a phone's WireGuard app. With the placeholder
  // instead of a key the app refuses the import (the line is not a key), so wgfleet says why
  // instead of handing out a code that cannot work; the .conf download stays available.
  private async qrOf(principal: Principal, id: number): Promise<{ text: string; level: QRCodeErrorCorrectionLevel }> {
    const { config, keyKept } = await this.configOf(principal, id);
    if (!keyKept) {
      throw new AppError(
        'conflict',
        `user ${id} was created with its own public key, so wgfleet does not keep its private key and a QR code of its config could not connect; ` +
          `download /api/wg/users/${id}/config.conf and fill in the private key instead`,
      );
    }
    const fit = qrFitOf(config);
    if (!fit.fits) {
      throw new AppError(
        'conflict',
        `the config of user ${id} is ${Buffer.byteLength(config)} bytes, more than a QR code holds; download /api/wg/users/${id}/config.conf instead`,
      );
    }
    return { text: config, level: fit.level };
  }
}
