// Public entry point of the fake Liblib (see README.md).
export * from './catalogue.ts';
export * from './faults.ts';
export * from './images.ts';
export * from './json.ts';
export * from './payloads.ts';
export * from './server.ts';
