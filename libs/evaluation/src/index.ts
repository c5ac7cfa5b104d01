export * from './metrics';
export * from './scoring';
