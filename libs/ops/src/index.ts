export * from './ops.module';
export * from './metrics.service';
export * from './health.service';
export * from './http-metrics.middleware';
