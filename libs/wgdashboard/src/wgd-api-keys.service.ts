import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { IsNull, MoreThan, type DataSource, type Repository } from 'typeorm';
import { AuditService } from '@wgfleet/audit';
import { TtlCache, type Principal } from '@wgfleet/core';
import { WgdApiKeyEntity } from './wgd-api-key.entity.js';

/** What a valid key grants: the node whose servers are its configurations. */
export interface WgdKeyGrant {
  keyId: number;
  nodeId: number;
}

// Like AUTH_CACHE_TTL_MS for portal keys: bounds how long another replica accepts a deleted key.
const CACHE_TTL_MS = 4_000;
const HINT_LENGTH = 4;
// A header value longer than any key we issue is refused before it is hashed.
const MAX_KEY_LENGTH = 128;

/**
 * WGDashboard API keys. Upstream issues `secrets.token_urlsafe(32)` (43 URL-safe characters) and
 * keeps it in clear; these have the same shape, and only their SHA-256 is stored.
 */
@Injectable()
export class WgdApiKeys {
  // Grants only: an unknown key is looked up each time, so a key is usable the moment it exists.
  // Each keeps its key's expiry, so the cache never stretches a key's life.
  private readonly cache = new TtlCache<{ grant: WgdKeyGrant; expiresAt: number | null }>(CACHE_TTL_MS, 10_000);

  constructor(
    @InjectRepository(WgdApiKeyEntity) private readonly keys: Repository<WgdApiKeyEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** A new key for the node, shown once, recorded in the audit log with it; `expiresAt` null never expires. */
  async issue(principal: Principal, nodeId: number, expiresAt: Date | null = null): Promise<{ key: string; record: WgdApiKeyEntity }> {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(WgdApiKeyEntity);
      const key = randomBytes(32).toString('base64url');
      const record = await repository.save(repository.create({ nodeId, keyHash: hashKey(key), hint: key.slice(-HINT_LENGTH), expiresAt }));
      await this.audit.record(
        principal,
        { action: 'wgdashboard_key.create', targetType: 'node', targetId: nodeId, details: { key_id: record.id, hint: record.hint } },
        manager,
      );
      return { key, record };
    });
  }

  /** The node's keys that are not expired, newest first (upstream's order). */
  active(nodeId: number, now = new Date()): Promise<WgdApiKeyEntity[]> {
    return this.keys.find({
      where: [
        { nodeId, expiresAt: IsNull() },
        { nodeId, expiresAt: MoreThan(now) },
      ],
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }

  /** The grant of a valid, unexpired key; null otherwise. */
  async authenticate(key: string, now = Date.now()): Promise<WgdKeyGrant | null> {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) return null;
    const hash = hashKey(key);
    const cacheKey = hash.toString('base64');
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached.expiresAt === null || cached.expiresAt > now ? cached.grant : null;
    const record = await this.keys
      .createQueryBuilder('k')
      .where('k.keyHash = :hash', { hash })
      .andWhere('(k.expiresAt IS NULL OR k.expiresAt > :now)', { now: new Date(now) })
      .getOne();
    if (!record) return null;
    const grant = { keyId: record.id, nodeId: record.nodeId };
    this.cache.set(cacheKey, { grant, expiresAt: record.expiresAt ? record.expiresAt.getTime() : null });
    return grant;
  }
}

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
