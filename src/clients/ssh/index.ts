/** SSH client: pooled connections with pinned host keys, capped output and killing timeouts. */
export * from './errors.js';
export * from './pool.js';
export * from './target.js';
