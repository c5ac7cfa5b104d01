import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from './domain-error';
import { currentRequestId } from '../context/request-context';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const problemType = (code: string) => `urn:aihub:problem:${code.toLowerCase().replace(/_/g, '-')}`;

const HTTP_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_CONTENT',
  429: 'RATE_LIMITED',
};

/** Maps everything thrown from a request to RFC 9457 problem+json; unknown errors become a bare 500. */
export function toProblem(
  error: unknown,
  requestId?: string,
): { problem: ProblemDetails; headers: Record<string, string> } {
  if (error instanceof DomainError) {
    return {
      problem: {
        type: problemType(error.code),
        title: error.title,
        status: error.status,
        detail: error.detail,
        code: error.code,
        ...error.extra,
        requestId,
      },
      headers: error.headers,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    // the platform adapter wraps body-parser errors; name the JSON case precisely
    if ((error.cause as { type?: string } | undefined)?.type === 'entity.parse.failed')
      return toProblem(error.cause, requestId);
    const body = error.getResponse();
    const message =
      typeof body === 'string'
        ? body
        : Array.isArray((body as { message?: unknown }).message)
          ? (body as { message: string[] }).message.join('; ')
          : String((body as { message?: unknown }).message ?? error.message);
    const code = HTTP_CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'HTTP_ERROR');
    return {
      problem: {
        type: problemType(code),
        title: HttpStatus[status] ?? 'Error',
        status,
        detail: message,
        code,
        requestId,
      },
      headers: {},
    };
  }
  // body-parser and similar errors carry a status/type but are not HttpExceptions
  const e = error as { status?: number; statusCode?: number; type?: string; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = e.type === 'entity.parse.failed' ? 'MALFORMED_JSON' : (HTTP_CODES[status] ?? 'BAD_REQUEST');
    return {
      problem: {
        type: problemType(code),
        title: HttpStatus[status] ?? 'Bad request',
        status,
        detail:
          code === 'MALFORMED_JSON' ? 'The request body is not valid JSON.' : (e.message ?? 'Bad request'),
        code,
        requestId,
      },
      headers: {},
    };
  }
  return {
    problem: {
      type: problemType('INTERNAL_ERROR'),
      title: 'Internal server error',
      status: 500,
      detail: 'An unexpected error occurred. Quote the request id when reporting it.',
      code: 'INTERNAL_ERROR',
      requestId,
    },
    headers: {},
  };
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    const requestId = currentRequestId();
    const { problem, headers } = toProblem(error, requestId);
    if (problem.status >= 500) {
      this.logger.error(
        { err: error, requestId, method: req?.method, url: req?.originalUrl },
        'unhandled error',
      );
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    problem.instance = req?.originalUrl?.split('?')[0];
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }
}
