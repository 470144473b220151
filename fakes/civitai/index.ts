// Public entry point of the fake Civitai (see README.md).
export * from './catalogue.ts';
export * from './server.ts';
