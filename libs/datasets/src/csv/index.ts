export * from './csv-parser';
export * from './csv-stream';
