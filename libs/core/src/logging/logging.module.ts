import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { requestContext } from '../context/request-context';

/** JSON logs (pino) with the request id on every line; pretty only when asked for. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.log.level,
          genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? 'unknown',
          customProps: () => {
            const ctx = requestContext();
            return ctx?.actorId ? { actorId: ctx.actorId } : {};
          },
          redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
          autoLogging: {
            ignore: (req: IncomingMessage) => req.url === '/api/v1/health' || req.url === '/metrics',
          },
          mixin: () => {
            const ctx = requestContext();
            return ctx ? { requestId: ctx.requestId } : {};
          },
          transport: config.log.pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
        },
      }),
    }),
  ],
  exports: [LoggerModule],
})
export class LoggingModule {}
