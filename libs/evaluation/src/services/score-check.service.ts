import { receiveMultipart } from '@aihub/storage';
import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type Redis from 'ioredis';
import type { Readable } from 'node:stream';
import { AuthenticatedActor } from '@aihub/authz';
import {
  APP_CONFIG,
  AppConfig,
  DomainError,
  PayloadTooLargeError,
  UnprocessableError,
  REDIS,
  redisKey,
  ValidationFailedError,
} from '@aihub/core';
import type { ScoreResultView } from '../dto/evaluation.dto';
import { invalidMultipart, ScoreRateLimitedError } from '../evaluation.errors';
import { splitLineBatches } from '../scoring/lines';
import { scoreFiles } from '../scoring/score-files';
import { toSubmitterError } from './scoring.service';

export const SCORE_CHECK_MAX_BYTES = 20 * 1024 * 1024;
const WINDOW_SECONDS = 60;

async function collect(stream: Readable, maxBytes: number): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      stream.resume();
      throw new PayloadTooLargeError(maxBytes);
    }
    chunks.push(chunk as Buffer);
  }
  return chunks;
}

async function* chunksOf(chunks: Buffer[]): AsyncGenerator<Buffer> {
  yield* chunks;
}

/**
 * `POST /evaluation/score`: the platform's own scorer on two small files, for participants checking their
 * pipeline and hosts trying a metric. Rate-limited per user (fixed window in Redis, shared by replicas).
 */
@Injectable()
export class ScoreCheckService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async score(actor: AuthenticatedActor, req: Request): Promise<ScoreResultView> {
    await this.admit(actor.user.id);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > 2 * SCORE_CHECK_MAX_BYTES + 128 * 1024)
      throw new PayloadTooLargeError(SCORE_CHECK_MAX_BYTES);
    const { files, fields } = await receiveMultipart<Buffer[]>(req, {
      fileFields: ['truth', 'predictions'],
      required: ['truth', 'predictions'],
      invalid: invalidMultipart(['truth', 'predictions']),
      maxFileBytes: SCORE_CHECK_MAX_BYTES,
      onFile: (_field, stream) => collect(stream, SCORE_CHECK_MAX_BYTES),
    });
    if (!fields.metric) throw new ValidationFailedError([{ field: 'metric', message: 'metric is required' }]);
    let metricParams: unknown;
    if (fields.metricParams) {
      try {
        metricParams = JSON.parse(fields.metricParams);
      } catch {
        throw new ValidationFailedError([
          { field: 'metricParams', message: 'metricParams must be a JSON object' },
        ]);
      }
    }
    const result = await scoreFiles({
      metric: fields.metric,
      metricParams,
      idColumn: fields.idColumn || undefined,
      targetColumn: fields.targetColumn || undefined,
      truth: splitLineBatches(chunksOf(files.truth)),
      predictions: splitLineBatches(chunksOf(files.predictions)),
    }).catch((err: unknown) => {
      // a line too long for a text file: the same 422 as any other unreadable predictions
      const e = toSubmitterError(err);
      throw e && !(err instanceof DomainError) ? new UnprocessableError(e.code, e.detail) : err;
    });
    return {
      metric: result.metric,
      score: result.scores.all,
      direction: result.direction,
      rows: result.rows.all,
    };
  }

  private async admit(userId: string): Promise<void> {
    const key = redisKey(this.config, 'evaluation', 'score', userId);
    const [[, count], [, ttl]] = (await this.redis.multi().incr(key).ttl(key).exec()) as [
      [null, number],
      [null, number],
    ];
    if (Number(ttl) < 0) await this.redis.expire(key, WINDOW_SECONDS);
    if (Number(count) > this.config.evaluation.scoreChecksPerMinute)
      throw new ScoreRateLimitedError(Number(ttl) > 0 ? Number(ttl) : WINDOW_SECONDS);
  }
}
