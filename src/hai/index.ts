// The Agents API client: `new HaiClient()` plus the wire schemas, errors, status helpers and retry policy.
export * from './client';
export * from './config';
export * from './errors';
export * from './retry';
export * from './schemas';
export * from './status';
