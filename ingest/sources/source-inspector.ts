// An inspector normalizes a saved upstream response exactly as its connector would (and throws
// ContractError on drift); `ingest inspect` picks one per source from ./inspectors.ts.
export interface SourceInspector {
  endpoints: readonly string[];
  /** `refused`: the upstream answered with an error envelope; `records`: what the connector would keep. */
  inspect(endpoint: string, payload: unknown): { records: unknown } | { refused: string };
}
