import { Injectable, Logger } from '@nestjs/common';
import { hash as oneShotHash } from 'node:crypto';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, MoreThan, type Repository } from 'typeorm';
import { AppError, pageOf, type Page } from '@wgfleet/core';
import { AccountEntity } from './account.entity.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { API_KEY_LENGTH, describeApiKey, generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key-format.js';
import { AuthCache, type CachedKey } from './auth-cache.js';

export const MAX_ACTIVE_KEYS = 5;
const LAST_USED_INTERVAL_MS = 60_000;

export type Authentication =
  | { ok: true; key: CachedKey }
  | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' | 'expired' };

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly lastUseWritten = new Map<number, number>();

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cache: AuthCache,
  ) {}

  /**
   * Creates a key and returns its secret, which is never stored. The account row is locked
   * first, so concurrent creates are counted one after another and the limit holds.
   */
  async create(accountId: number, input: { name: string; expiresAt?: Date | null }): Promise<{ record: ApiKeyEntity; key: string }> {
    const key = generateApiKey();
    const record = await this.dataSource.transaction(async (manager) => {
      const account = await manager.findOne(AccountEntity, { where: { id: accountId }, lock: { mode: 'pessimistic_write' } });
      if (!account) throw new AppError('not_found', `account ${accountId} does not exist`);
      const [{ active }] = await manager.query(
        `SELECT count(*)::int AS active FROM api_key
          WHERE account_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
        [accountId],
      );
      if (active >= MAX_ACTIVE_KEYS) {
        throw new AppError('api_key_limit', `this account already has ${MAX_ACTIVE_KEYS} active API keys; revoke one first`);
      }
      const entity = manager.create(ApiKeyEntity, {
        accountId,
        name: input.name,
        keyHash: hashApiKey(key),
        ...describeApiKey(key),
        expiresAt: input.expiresAt ?? null,
      });
      return manager.save(entity);
    });
    return { record, key };
  }

  async list(accountId: number, page: Page) {
    const rows = await this.keys.find({ where: { accountId, id: MoreThan(page.afterId) }, order: { id: 'ASC' }, take: page.limit + 1 });
    return pageOf(rows, page);
  }

  /** Revokes one of the caller's own keys: 404 when it does not exist, 403 when it is someone else's. */
  async revoke(accountId: number, id: number): Promise<ApiKeyEntity> {
    const record = await this.keys.findOneBy({ id });
    if (!record) throw new AppError('not_found', `API key ${id} does not exist`);
    if (record.accountId !== accountId) throw new AppError('forbidden', `API key ${id} belongs to another account`);
    if (!record.revokedAt) {
      record.revokedAt = new Date();
      await this.keys.update({ id }, { revokedAt: record.revokedAt });
    }
    this.cache.forgetKey(id);
    return record;
  }

  /**
   * A key whose hash is cached was valid moments ago, so the cache is looked at first; a key that
   * is not cached has its format and checksum checked before the database is asked (a malformed key
   * costs no query).
   */
  async authenticate(key: string, now = Date.now()): Promise<Authentication> {
    // Every key has one length: anything else is refused before it is even hashed.
    if (key.length !== API_KEY_LENGTH) return { ok: false, reason: 'malformed' };
    // hashApiKey's SHA-256, base64 (the cache key), in one call: a Hash object per request costs
    // more than the digest. The bytes are decoded back only for a database lookup.
    const cacheKey = oneShotHash('sha256', key, 'base64');
    let cached = this.cache.get(cacheKey);
    if (!cached) {
      if (!isWellFormedApiKey(key)) return { ok: false, reason: 'malformed' };
      const hash = Buffer.from(cacheKey, 'base64');
      const rows: Array<{
        id: string; account_id: string; kind: CachedKey['kind']; parent_id: string | null;
        suspended_at: Date | null; expires_at: Date | null; revoked_at: Date | null;
      }> = await this.dataSource.query(
        `SELECT k.id, k.account_id, a.kind, a.parent_id, a.suspended_at, k.expires_at, k.revoked_at,
                p.suspended_at AS parent_suspended_at
           FROM api_key k JOIN account a ON a.id = k.account_id LEFT JOIN account p ON p.id = a.parent_id
          WHERE k.key_hash = $1`,
        [hash],
      );
      const row = rows[0] as (typeof rows)[number] & { parent_suspended_at: Date | null } | undefined;
      if (!row) return { ok: false, reason: 'unknown' };
      if (row.revoked_at) return { ok: false, reason: 'revoked' };
      cached = {
        apiKeyId: Number(row.id),
        accountId: Number(row.account_id),
        kind: row.kind,
        parentId: row.parent_id === null ? null : Number(row.parent_id),
        // A reseller's suspension reaches its customers too.
        suspended: row.suspended_at !== null || row.parent_suspended_at !== null,
        expiresAt: row.expires_at ? row.expires_at.getTime() : null,
      };
      this.cache.set(cacheKey, cached);
    }
    if (cached.expiresAt !== null && cached.expiresAt <= now) return { ok: false, reason: 'expired' };
    return { ok: true, key: cached };
  }

  /** last_used_at/ip at most once a minute per key: here per process, in SQL across replicas. */
  recordUse(apiKeyId: number, ip: string, now = Date.now()): void {
    const last = this.lastUseWritten.get(apiKeyId);
    if (last !== undefined && now - last < LAST_USED_INTERVAL_MS) return;
    this.lastUseWritten.set(apiKeyId, now);
    if (this.lastUseWritten.size > 100_000) this.lastUseWritten.clear();
    this.dataSource
      .query(
        `UPDATE api_key SET last_used_at = now(), last_used_ip = $2
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
        [apiKeyId, ip],
      )
      .catch((error: unknown) => this.logger.warn({ msg: 'could not record key use', apiKeyId, err: error }));
  }
}
