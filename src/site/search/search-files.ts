// Where the search index lives in the built site (written by src/integrations/search-index.ts, read by
// src/components/search/search-client.ts).
import type { SearchEntry } from './search-index.ts';

/** The folder under the client dir: `/search-index/entry.json` and `/search-index/<version>/…`. */
export const SEARCH_DIR = 'search-index';
export const SEARCH_ENTRY = 'entry.json';

export interface SearchEntryFile extends SearchEntry {
  /** The version folder's URL path (`/search-index/<hash>`): every other file is under it. */
  path: string;
}
