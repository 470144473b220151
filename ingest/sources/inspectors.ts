// What `ingest inspect` can validate: one inspector per source, each normalizing a saved upstream
// response exactly as its connector would (and throwing ContractError on drift).
import { civitaiInspector } from './civitai/inspect.ts';
import { liblibInspector } from './liblib/inspect.ts';
import { modelscopeInspector } from './modelscope/inspect.ts';

export interface SourceInspector {
  endpoints: readonly string[];
  /** `refused`: the upstream answered with an error envelope; `records`: what the connector would keep. */
  inspect(endpoint: string, payload: unknown): { records: unknown } | { refused: string };
}

export const INSPECTORS: Record<string, SourceInspector> = {
  liblib: liblibInspector,
  civitai: civitaiInspector,
  modelscope: modelscopeInspector,
};
