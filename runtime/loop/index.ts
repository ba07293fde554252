export * from './clock.js';
export * from './fixed-rate-loop.js';
export * from './sample-window.js';
