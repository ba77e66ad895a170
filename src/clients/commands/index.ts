/** Remote commands for SSH hosts: validated builders, quoting, output parsers, and recognition for the lab. */
export * from './quote.js';
export * from './validate.js';
export * from './build.js';
export * from './parse.js';
export * from './recognize.js';
