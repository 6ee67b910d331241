import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { AppError } from '../errors/app-error.js';
import { IsOptionalNotNull } from '../validation/optional-not-null.decorator.js';
import { IsSingleLine } from '../validation/single-line.decorator.js';

/** `?limit=&cursor=` of every list (the contract: limit 1–500, default 100). */
export class PageQueryDto {
  @IsOptionalNotNull()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer between 1 and 500' })
  @Min(1, { message: 'limit must be an integer between 1 and 500' })
  @Max(500, { message: 'limit must be an integer between 1 and 500' })
  limit?: number;

  @IsOptionalNotNull()
  @IsSingleLine(200)
  cursor?: string;
}

export interface Page {
  limit: number;
  /** Rows with an id above this one come next (lists are ordered by id). */
  afterId: number;
}

export const DEFAULT_PAGE_LIMIT = 100;

export function toPage(query: PageQueryDto): Page {
  return { limit: query.limit ?? DEFAULT_PAGE_LIMIT, afterId: query.cursor ? decodeCursor(query.cursor) : 0 };
}

/** Fetch `limit + 1` rows; the extra one says whether there is a next page. */
export function pageOf<T extends { id: number }>(rows: T[], page: Page): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, page.limit);
  const nextCursor = rows.length > page.limit ? encodeCursor(items[items.length - 1].id) : null;
  return { items, nextCursor };
}

export function encodeCursor(id: number): string {
  return Buffer.from(JSON.stringify({ id })).toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const { id } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id?: unknown };
    if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  } catch {
    // fall through to the error below
  }
  throw new AppError('validation_failed', 'cursor is not one this API returned; pass next_cursor from the previous page', [
    { field: 'cursor', message: 'is not a cursor returned by this API' },
  ]);
}
