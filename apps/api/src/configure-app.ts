import { INestApplication, RequestMethod } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import {
  AppConfig,
  createValidationPipe,
  requestContextMiddleware,
  SerializedJsonInterceptor,
} from '@aihub/core';
import { httpMetricsMiddleware, MetricsService } from '@aihub/ops';
import { buildOpenApiDocument } from './openapi';

export const API_PREFIX = 'api/v1';

/** Everything main.ts and the end-to-end tests share, so tests run the app exactly as deployed. */
export function configureApp(app: NestExpressApplication, config: AppConfig): INestApplication {
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.set('trust proxy', config.http.trustProxy);
  app.use(requestContextMiddleware);
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  app.useBodyParser('json', { limit: '1mb' });
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'metrics', method: RequestMethod.GET },
      { path: 'api/v1/metrics', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalInterceptors(new SerializedJsonInterceptor());
  app.enableShutdownHooks();
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json', raw: ['json'] });
  return app;
}
