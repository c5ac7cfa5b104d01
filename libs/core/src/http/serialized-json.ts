import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { createHash } from 'node:crypto';
import { map, Observable } from 'rxjs';

/**
 * A JSON response body serialized once and served many times (hot shared answers such as the anonymous
 * catalog): the text and its weak ETag are computed when it is cached, so serving it costs neither
 * JSON.stringify nor hashing per request. Handlers return it instead of the object; the interceptor
 * below sends it as `application/json` with the ETag (Express answers 304 to a matching If-None-Match).
 */
export class SerializedJson {
  readonly etag: string;

  constructor(readonly text: string) {
    // the same form as Express's default weak ETag (length + SHA-1), so clients see no difference
    const hash = createHash('sha1').update(text, 'utf8').digest('base64').slice(0, 27);
    this.etag = `W/"${Buffer.byteLength(text, 'utf8').toString(16)}-${hash}"`;
  }

  static of(value: unknown): SerializedJson {
    return new SerializedJson(JSON.stringify(value));
  }

  /** The object again (callers inside the process that need the value, tests). */
  parse<T>(): T {
    return JSON.parse(this.text) as T;
  }
}

@Injectable()
export class SerializedJsonInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((body: unknown) => {
        if (!(body instanceof SerializedJson) || context.getType() !== 'http') return body;
        const res = context.switchToHttp().getResponse<Response>();
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('ETag', body.etag);
        return body.text;
      }),
    );
  }
}
