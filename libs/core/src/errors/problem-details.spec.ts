import { BadRequestException, NotFoundException } from '@nestjs/common';
import { InvalidStateError, NotFoundError, RateLimitedError, ValidationFailedError } from './domain-error';
import { toProblem } from './problem-details.filter';

describe('toProblem', () => {
  it('renders domain errors with their stable code and extensions', () => {
    const { problem, headers } = toProblem(
      new RateLimitedError('QUOTA_EXCEEDED', 'Daily quota used.', 3600),
      'r1',
    );
    expect(problem).toEqual({
      type: 'urn:aihub:problem:quota-exceeded',
      title: 'Too many requests',
      status: 429,
      detail: 'Daily quota used.',
      code: 'QUOTA_EXCEEDED',
      retryAfterSeconds: 3600,
      requestId: 'r1',
    });
    expect(headers).toEqual({ 'Retry-After': '3600' });
  });

  it('lists validation errors', () => {
    const { problem } = toProblem(
      new ValidationFailedError([{ field: 'email', message: 'email must be an email' }]),
    );
    expect(problem.status).toBe(400);
    expect(problem.errors).toEqual([{ field: 'email', message: 'email must be an email' }]);
  });

  it('derives not-found codes from the object type', () => {
    expect(toProblem(new NotFoundError('DatasetVersion', 'x')).problem.code).toBe(
      'DATASET_VERSION_NOT_FOUND',
    );
    expect(toProblem(new InvalidStateError('scenario', 'draft', 'publish')).problem).toEqual(
      expect.objectContaining({ status: 409, code: 'INVALID_STATE_TRANSITION', from: 'draft' }),
    );
  });

  it('maps framework exceptions and hides unknown errors', () => {
    expect(toProblem(new NotFoundException()).problem.code).toBe('ROUTE_NOT_FOUND');
    expect(toProblem(new BadRequestException('nope')).problem).toEqual(
      expect.objectContaining({ status: 400, detail: 'nope' }),
    );
    const hidden = toProblem(new Error('password=hunter2'), 'r2').problem;
    expect(hidden).toEqual(expect.objectContaining({ status: 500, code: 'INTERNAL_ERROR', requestId: 'r2' }));
    expect(JSON.stringify(hidden)).not.toContain('hunter2');
  });

  it('maps body-parser errors', () => {
    expect(
      toProblem(Object.assign(new Error('x'), { status: 400, type: 'entity.parse.failed' })).problem.code,
    ).toBe('MALFORMED_JSON');
    expect(
      toProblem(Object.assign(new Error('x'), { status: 413, type: 'entity.too.large' })).problem.code,
    ).toBe('PAYLOAD_TOO_LARGE');
  });
});
