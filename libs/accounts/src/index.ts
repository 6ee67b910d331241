export { AccountsModule } from './accounts.module.js';
export { AccountsService, type CreateAccountInput } from './accounts.service.js';
export { ApiKeysService, MAX_ACTIVE_KEYS, type Authentication } from './api-keys.service.js';
export { AccountEntity, ACCOUNT_KINDS, type AccountKind } from './account.entity.js';
export { ApiKeyEntity } from './api-key.entity.js';
export { generateApiKey, isWellFormedApiKey, hashApiKey, API_KEY_PATTERN } from './api-key-format.js';
export { CreateApiKeyDto, toAccountDto, toApiKeyDto, type AccountDto, type ApiKeyDto } from './accounts.dto.js';
export { AccountAccessHooks, type AccountAccessHook } from './account-access-hooks.js';
export { RequestAuthenticator } from './request-authenticator.js';
