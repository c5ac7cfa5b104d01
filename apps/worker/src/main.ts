import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import pino from 'pino';
import { ConfigValidationError, loadConfig } from '@aihub/core';
import { WorkerHost } from '@aihub/queue';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    bufferLogs: true,
    // boot errors reach the catch below (logged, exit 1) instead of aborting the process
    abortOnError: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.enableShutdownHooks();
  const host = app.get(WorkerHost);
  // nestjs-pino: (fields, message, context)
  logger.log({ queues: host.queueNames, instanceId: host.instanceId }, 'worker ready', 'WorkerBootstrap');
}

bootstrap().catch((err: unknown) => {
  if (err instanceof ConfigValidationError) {
    console.error(err.message);
    process.exit(78); // EX_CONFIG: nothing will work until the environment is fixed
  }
  // logged whatever LOG_LEVEL says: a worker that cannot start must say why
  const bootLogger = pino({ base: { app: 'worker' } }, pino.destination({ dest: 2, sync: true }));
  bootLogger.fatal({ err }, 'worker failed to start');
  process.exit(1);
});
