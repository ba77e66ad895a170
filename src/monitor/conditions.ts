/** Moved to the contracts layer; this re-export keeps old imports working until they are updated. */
export * from '../contracts/conditions.js';
