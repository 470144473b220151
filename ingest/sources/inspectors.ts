// What `ingest inspect` can validate: one inspector per source, each normalizing a saved upstream
// response exactly as its connector would (and throwing ContractError on drift).
import { civitaiInspector } from './civitai/inspect.ts';
import { liblibInspector } from './liblib/inspect.ts';
import { modelscopeInspector } from './modelscope/inspect.ts';
import type { SourceInspector } from './source-inspector.ts';


export const INSPECTORS: Record<string, SourceInspector> = {
  liblib: liblibInspector,
  civitai: civitaiInspector,
  modelscope: modelscopeInspector,
};
