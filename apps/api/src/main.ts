import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ConfigValidationError, loadConfig } from '@aihub/core';
import { AppModule } from './app.module';
import { configureApp } from './configure-app';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG: nothing will work until the environment is fixed
    }
    throw err;
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  configureApp(app, config);
  await app.listen(config.http.port, config.http.host);
  const url = config.http.publicUrl ?? `http://localhost:${config.http.port}`;
  app.get(Logger).log({ url, docs: `${url}/api/docs` }, 'api ready', 'ApiBootstrap');
}

bootstrap().catch((err) => {
  console.error(err);
  process.exit(1);
});
