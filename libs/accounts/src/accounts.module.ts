import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountAccessHooks } from './account-access-hooks.js';
import { AccountEntity } from './account.entity.js';
import { AccountsService } from './accounts.service.js';
import { AdminAccountsController } from './admin-accounts.controller.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthCache } from './auth-cache.js';
import { RequestAuthenticator } from './request-authenticator.js';

@Module({
  imports: [TypeOrmModule.forFeature([AccountEntity, ApiKeyEntity])],
  controllers: [ApiKeysController, AdminAccountsController],
  providers: [AccountAccessHooks, AccountsService, ApiKeysService, AuthCache, RequestAuthenticator, { provide: APP_GUARD, useClass: ApiKeyGuard }],
  exports: [AccountAccessHooks, AccountsService, ApiKeysService, RequestAuthenticator],
})
export class AccountsModule {}
