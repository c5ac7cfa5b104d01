/**
 * The audit sequencer as the worker runs it, in a process of its own (bench/audit.bench.ts starts it for the
 * append phase): in a deployment appends happen in the api processes and sequencing in the worker, so the
 * bench must not make the writers share one event loop with the sequencer's hashing. Configuration comes
 * from the environment the bench passes; it runs until SIGTERM, then closes (stopping the runner cleanly).
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuditModule, AuditSequencerWorkerModule } from '@aihub/audit';
import { ConfigModule, DatabaseModule, loadConfig, TimeModule } from '@aihub/core';

async function main(): Promise<void> {
  @Module({
    imports: [
      ConfigModule.forRoot(loadConfig()),
      TimeModule,
      DatabaseModule,
      AuditModule,
      AuditSequencerWorkerModule,
    ],
  })
  class SequencerProcessModule {}
  const app = await NestFactory.createApplicationContext(SequencerProcessModule, {
    logger: ['error', 'warn'],
  });
  process.send?.('ready');
  process.once('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
