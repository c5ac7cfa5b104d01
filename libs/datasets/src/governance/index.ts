export * from './identifiers';
export * from './masking';
export * from './fingerprints';
export * from './small-cells';
