// Public entry point of the fake ModelScope (see README.md).
export * from './catalogue.ts';
export * from './server.ts';
