import type { NextFunction, Request, Response } from 'express';
import type { MetricsService } from './metrics.service';

/** Times every request; labels use the route pattern, never the raw URL (bounded cardinality). */
export function httpMetricsMiddleware(metrics: MetricsService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route =
        (req.route?.path as string | undefined) ?? (res.statusCode === 404 ? 'unmatched' : 'other');
      const routeLabel = `${req.baseUrl ?? ''}${route}`;
      end({ method: req.method, route: routeLabel, status: String(res.statusCode) });
      if (res.statusCode >= 500) metrics.httpErrors.inc({ route: routeLabel });
    });
    next();
  };
}
