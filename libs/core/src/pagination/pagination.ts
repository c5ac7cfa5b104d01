import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { SelectQueryBuilder } from 'typeorm';
import { ValidationFailedError } from '../errors/domain-error';

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page (nextCursor).' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Keyset cursor: the sort key and the id of the last row, so pages are stable under inserts. */
export interface CursorPosition {
  key: string;
  id: string;
}

export const encodeCursor = (p: CursorPosition): string =>
  Buffer.from(JSON.stringify([p.key, p.id])).toString('base64url');

export function decodeCursor(cursor: string | undefined): CursorPosition | undefined {
  if (!cursor) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return { key: value[0], id: value[1] };
    }
  } catch {
    // fall through
  }
  throw new ValidationFailedError([{ field: 'cursor', message: 'cursor is not one this API issued' }]);
}

export const pageLimit = (q: PageQueryDto): number => q.limit ?? 20;

/** Builds a page from rows fetched with limit + 1 (the extra row only tells whether more exist). */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  key: (r: R) => CursorPosition,
  map: (r: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const slice = more ? rows.slice(0, limit) : rows;
  return { items: slice.map(map), nextCursor: more ? encodeCursor(key(slice[slice.length - 1])) : null };
}

/**
 * Oldest-first keyset page over `<alias>.created_at, <alias>.id` (created_at must have millisecond
 * precision so the cursor's ISO timestamp compares exactly).
 */
export async function pageByCreatedAt<R extends { id: string; createdAt: Date }, T>(
  qb: SelectQueryBuilder<R>,
  query: PageQueryDto,
  map: (r: R) => T,
  alias = qb.alias,
): Promise<Page<T>> {
  const limit = pageLimit(query);
  const after = decodeCursor(query.cursor);
  if (after) {
    qb.andWhere(`(${alias}.created_at, ${alias}.id) > (:pageKey::timestamptz, :pageId::uuid)`, {
      pageKey: after.key,
      pageId: after.id,
    });
  }
  const rows = await qb
    .orderBy(`${alias}.created_at`, 'ASC')
    .addOrderBy(`${alias}.id`, 'ASC')
    .take(limit + 1)
    .getMany();
  return toPage(rows, limit, (r) => ({ key: r.createdAt.toISOString(), id: r.id }), map);
}
