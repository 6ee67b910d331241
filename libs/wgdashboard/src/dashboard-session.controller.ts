import { Body, Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { typedSetting } from './settings/dashboard-settings.js';
import { WgdSettings } from './settings/wgd-settings.service.js';
import type { WgdRequest } from './wgd-auth.guard.js';
import { WgdNoAuth } from './wgd-no-auth.decorator.js';
import { asObject } from './wgd-request.js';
import { wgdFail, WgdHttpError, wgdOk, type WgdResult } from './wgd-result.js';
import { WgdPost, WgdRoutes } from './wgd-routes.decorator.js';

const WRONG_LOGIN = 'Sorry, your username or password is incorrect.';
const NO_ACCOUNT = 'wgfleet has no dashboard account to set up: clients sign in with an API key (wg-dashboard-apikey)';

/**
 * Upstream's sign-in calls (notes §2.1), for a server that has no dashboard account: the only way in
 * is an API key. The web page's "Access Remote Server" mode posts `authenticate` with its key and
 * signs out through `signout`; the setup wizard's `Welcome_*` calls exist for the page's sake and
 * set nothing up. No cookies are set: a key authenticates every request on its own. Where upstream
 * touches its session (a key's sign-in, sign-out), Flask adds `Vary: Cookie`; so does this, as the
 * recorded answers have it.
 */
@WgdRoutes()
@ApiExcludeController()
@Controller('api')
export class DashboardSessionController {
  constructor(private readonly settings: WgdSettings) {}

  /**
   * With a valid key, upstream signs the key in without reading the body and answers its
   * `welcome_session` setting as the message (a bool). Without one there is no password that
   * could match.
   */
  @WgdPost('authenticate')
  @WgdNoAuth()
  async authenticate(@Req() request: WgdRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown): Promise<WgdResult> {
    if (request.wgdGrant) {
      void reply.header('vary', 'Cookie');
      const welcome = await this.settings.text(request.wgdGrant.nodeId, 'Other', 'welcome_session');
      return { status: true, message: typedSetting('Other', 'welcome_session', welcome) as boolean, data: null };
    }
    const { username, password } = asObject(body);
    // Upstream crashes with an HTML 500 on a missing field (deviation "Everywhere").
    if (typeof username !== 'string' || typeof password !== 'string') throw new WgdHttpError(400, 'Please provide username and password');
    return wgdFail(WRONG_LOGIN);
  }

  /** Upstream checks its session cookie here, even with a key: there is never one. */
  @Get('validateAuthentication')
  @WgdNoAuth()
  validate(): WgdResult {
    return wgdFail('Invalid authentication.');
  }

  @Get('signout')
  signOut(@Res({ passthrough: true }) reply: FastifyReply): WgdResult {
    void reply.header('vary', 'Cookie');
    return wgdOk(null, '');
  }

  /** Upstream's answer once TOTP is set up; here there is no account to protect with it. */
  @Get('Welcome_GetTotpLink')
  totpLink(): WgdResult {
    return { status: false, message: null, data: null };
  }

  /** No TOTP secret exists, so no code matches. */
  @WgdPost('Welcome_VerifyTotpLink')
  verifyTotp(): WgdResult {
    return { status: false, message: null, data: null };
  }

  @WgdPost('Welcome_Finish')
  finishSetup(): WgdResult {
    return wgdFail(NO_ACCOUNT);
  }
}
