// Huaku's static search index: the builder (fed at build time, one document at a time) and the ranker (run
// in the browser over the shards a query needs, and in the unit tests over the whole index in memory).
//
// Documents are works, LoRAs and authors. Each field has a weight (a title counts more than a prompt, a
// prompt more than a tag), a term's score in a document is its best field's weight plus a little for
// repeats, and a document's score is the sum over the query's terms; every term must match. The files:
//   entry.json            SearchEntry: counts, the shard keys that exist, the facet legends
//   facets.json           one integer per document: type, source, NSFW, checkpoint (filters without
//                         loading the documents)
//   terms/<shard>.json    term → postings [doc delta, score, doc delta, score, …], doc numbers ascending
//   docs/<chunk>.json     what a result shows, DOC_CHUNK documents a file
import { MIN_PREFIX_LENGTH, queryTerms, shardOf, textTerms, type QueryTerm } from './search-terms.ts';

const DOC_CHUNK = 200;
/** The checkpoints offered as a filter: the most used ones; the rest count as 其他. */
const MAX_MODEL_FACETS = 30;

export type SearchDocType = 'work' | 'lora' | 'author';
const DOC_TYPES: readonly SearchDocType[] = ['work', 'lora', 'author'];

/** What a result shows (short keys: thousands of these are fetched). */
export interface SearchDocMeta {
  /** URL */
  u: string;
  /** title */
  t: string;
  /** image (thumbnail, avatar or cover) */
  i?: string;
  /** image width and height, for the card's box */
  w?: number;
  h?: number;
  /** secondary line: author (works), English title (LoRAs), work count (authors) */
  a?: string;
  /** the author's page (works) */
  au?: string;
  /** source label */
  s?: string;
  /** sensitive: blurred until the visitor's switch unblurs it */
  n?: 1;
  /** likes + favorites (works) */
  l?: number;
}

interface SearchField {
  text: string | null | undefined;
  weight: number;
}

export interface SearchDocInput {
  type: SearchDocType;
  fields: readonly SearchField[];
  meta: SearchDocMeta;
  /** Facets: the source id (liblib, civitai…), sensitive or not, the checkpoint's name. */
  source: string;
  sensitive: boolean;
  checkpoint: string | null;
}

export interface SearchEntry {
  version: 1;
  docCount: number;
  chunkSize: number;
  shards: string[];
  /** Facet legends: index → value (models[0] is 其他/none). */
  sources: string[];
  models: string[];
}

export interface BuiltSearchIndex {
  entry: SearchEntry;
  facets: number[];
  shards: Map<string, Record<string, number[]>>;
  chunks: SearchDocMeta[][];
}

/** A term's score in one document: its best field's weight, a point per repeat up to three. */
function termScores(fields: readonly SearchField[]): Map<string, number> {
  const best = new Map<string, number>();
  const repeats = new Map<string, number>();
  for (const field of fields) {
    if (!field.text) continue;
    for (const term of textTerms(field.text)) {
      best.set(term, Math.max(best.get(term) ?? 0, field.weight));
      repeats.set(term, (repeats.get(term) ?? 0) + 1);
    }
  }
  return new Map([...best].map(([term, weight]) => [term, weight + Math.min(3, repeats.get(term)! - 1)]));
}

/** Collects documents one by one (numbered in arrival order) and writes nothing itself: finish() hands back the files' contents. */
export class SearchIndexBuilder {
  readonly #postings = new Map<string, number[]>();
  readonly #chunks: SearchDocMeta[][] = [];
  readonly #facets: Array<{ type: number; source: string; sensitive: boolean; checkpoint: string | null }> = [];
  #count = 0;

  add(doc: SearchDocInput): number {
    const id = this.#count++;
    for (const [term, score] of termScores(doc.fields)) {
      let list = this.#postings.get(term);
      if (!list) this.#postings.set(term, (list = []));
      list.push(id, score);
    }
    if (id % DOC_CHUNK === 0) this.#chunks.push([]);
    this.#chunks.at(-1)!.push(doc.meta);
    this.#facets.push({ type: DOC_TYPES.indexOf(doc.type), source: doc.source, sensitive: doc.sensitive, checkpoint: doc.checkpoint });
    return id;
  }

  finish(): BuiltSearchIndex {
    const sources = [...new Set(this.#facets.map((f) => f.source))].sort();
    const modelCounts = new Map<string, number>();
    for (const f of this.#facets) if (f.checkpoint) modelCounts.set(f.checkpoint, (modelCounts.get(f.checkpoint) ?? 0) + 1);
    const models = [
      '',
      ...[...modelCounts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_MODEL_FACETS).map(([name]) => name),
    ];
    const modelIndex = new Map(models.map((name, i) => [name, i]));
    const facets = this.#facets.map((f) => encodeFacet(f.type, sources.indexOf(f.source), f.sensitive, modelIndex.get(f.checkpoint ?? '') ?? 0));
    const shards = new Map<string, Record<string, number[]>>();
    for (const [term, list] of this.#postings) {
      const key = shardOf(term);
      let shard = shards.get(key);
      if (!shard) shards.set(key, (shard = {}));
      // Ids arrive ascending: store the gaps (small numbers, short JSON).
      const encoded: number[] = [];
      let previous = 0;
      for (let i = 0; i < list.length; i += 2) {
        encoded.push(list[i]! - previous, list[i + 1]!);
        previous = list[i]!;
      }
      shard[term] = encoded;
    }
    return {
      entry: { version: 1, docCount: this.#count, chunkSize: DOC_CHUNK, shards: [...shards.keys()].sort(), sources, models },
      facets,
      shards,
      chunks: this.#chunks,
    };
  }
}

export interface Facet {
  type: SearchDocType;
  source: number;
  sensitive: boolean;
  model: number;
}

function encodeFacet(type: number, source: number, sensitive: boolean, model: number): number {
  return type | (source << 2) | ((sensitive ? 1 : 0) << 6) | (model << 7);
}

export function decodeFacet(code: number): Facet {
  return { type: DOC_TYPES[code & 3]!, source: (code >> 2) & 15, sensitive: ((code >> 6) & 1) === 1, model: code >> 7 };
}

/** A shard's postings of one term, decoded: doc → score. */
function decode(encoded: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  let doc = 0;
  for (let i = 0; i < encoded.length; i += 2) {
    doc += encoded[i]!;
    out.set(doc, encoded[i + 1]!);
  }
  return out;
}

export interface RankedDoc {
  doc: number;
  score: number;
}

/** The shards a query reads. */
export function shardsFor(terms: readonly QueryTerm[], available: ReadonlySet<string>): string[] {
  return [...new Set(terms.map((t) => shardOf(t.term)))].filter((key) => available.has(key));
}

/**
 * Rank the documents matching every term of `query`: the sum of their terms' scores, best first (ties in
 * document order). A prefix match (cyber → cyberpunk) scores half of an exact one. `shard` answers a shard
 * key with its terms (undefined when the index has none).
 */
export function rankSearch(query: string | readonly QueryTerm[], shard: (key: string) => Record<string, number[]> | undefined): RankedDoc[] {
  const terms = typeof query === 'string' ? queryTerms(query) : query;
  if (terms.length === 0) return [];
  let scores: Map<number, number> | null = null;
  for (const { term, prefix } of terms) {
    const table = shard(shardOf(term)) ?? {};
    const matches = new Map<number, number>();
    for (const [doc, score] of decode(table[term] ?? [])) matches.set(doc, score * 2);
    if (prefix && [...term].length >= (/\p{Script=Han}/u.test(term) ? 1 : MIN_PREFIX_LENGTH)) {
      for (const [candidate, encoded] of Object.entries(table)) {
        if (candidate === term || !candidate.startsWith(term)) continue;
        for (const [doc, score] of decode(encoded)) matches.set(doc, Math.max(matches.get(doc) ?? 0, score));
      }
    }
    if (scores === null) {
      scores = matches;
      continue;
    }
    const next = new Map<number, number>();
    for (const [doc, score] of scores) {
      const more = matches.get(doc);
      if (more !== undefined) next.set(doc, score + more);
    }
    scores = next;
    if (scores.size === 0) break;
  }
  return [...(scores ?? new Map<number, number>())].map(([doc, score]) => ({ doc, score })).sort((a, b) => b.score - a.score || a.doc - b.doc);
}
