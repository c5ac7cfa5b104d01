import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@aihub/authz';
import { HealthService } from './health.service';
import { MetricsService } from './metrics.service';

@ApiTags('platform')
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Public()
  @Get('health')
  @ApiOkResponse({
    description: 'Liveness and readiness: `{status: ok, checks: {database, redis, storage}}`.',
  })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down (status degraded).' })
  async check(@Res({ passthrough: true }) res: Response) {
    const report = await this.health.check();
    if (report.status !== 'ok') res.status(503);
    return report;
  }
}

/** Prometheus exposition at /metrics (the conventional scrape path) and /api/v1/metrics. */
@ApiTags('platform')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Public()
  @Get(['metrics', 'api/v1/metrics'])
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({
    description: 'Prometheus text format.',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  async scrape(@Res() res: Response): Promise<void> {
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
