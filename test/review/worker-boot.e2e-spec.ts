/** The worker boots with the review lib: one completion per publicity kind, every job with one handler. */
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@aihub/core';
import { ResultsPublicationService } from '@aihub/review';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { createIsolatedEnvironment, type IsolatedEnvironment } from '../queue/isolated-environment';

describe('worker with the review lib (e2e, own database)', () => {
  let isolated: IsolatedEnvironment;
  beforeAll(async () => {
    // its own database and Redis prefix: a booting worker sweeps timers and takes jobs
    isolated = await createIsolatedEnvironment('review_worker');
  }, 120_000);
  afterAll(() => isolated?.dispose());

  it('boots and registers the results publicity completion', async () => {
    const app = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(loadConfig({ ...isolated.env, LOG_LEVEL: 'error' })),
      { logger: false, abortOnError: false },
    );
    try {
      await app.init();
      expect(app.get(ResultsPublicationService, { strict: false })).toBeInstanceOf(ResultsPublicationService);
    } finally {
      await app.close();
    }
  });
});
