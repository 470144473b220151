// The terms of Huaku's search index, the same for the builder (at build time) and the query (in the
// browser), so this module stays tiny and dependency-free.
//
// Decisions:
// - Chinese: character bigrams of every run of Han characters (汽车模型 → 汽车 车模 模型), a lone character as
//   itself. A query matches a work only when it has every bigram of the query: substrings of prompts are
//   found without a dictionary that the browser and the build would have to agree on.
// - Latin, digits and other scripts: lowercased NFKC words of two characters or more, English stop words
//   out. A single letter never matches anything (it used to match every word starting with it).
// - Prefixes: a Latin query word of three characters or more also matches the words it starts (cyber →
//   cyberpunk), scored lower; a one-character Han query matches the bigrams it starts.
// - Shards: terms live in files by shard key, chosen so a prefix lookup reads one shard: the first two
//   characters of a Latin word, a hash of the first character of a Han term.

const HAN_RUN = /\p{Script=Han}+/gu;
const HAN = /\p{Script=Han}/u;
const WORD = /[\p{L}\p{N}]+/gu;
/** Articles, pronouns, prepositions: too common to search for (a query of only these finds nothing). */
const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'and', 'or', 'of', 'in', 'on', 'at', 'to', 'with', 'for', 'from', 'by', 'as', 'is', 'are', 'be',
  'it', 'its', 'this', 'that', 'no', 'not',
]);

/** A Latin word this long or longer also matches as a prefix. */
export const MIN_PREFIX_LENGTH = 3;
// 256 Han shards; a frequent first character still keeps all its bigrams in one (the largest ~0.8 MB of JSON
// at 100k synthetic works, before gzip): a Chinese query term reads one such file.
const HAN_SHARDS = 256;
const OTHER_SHARDS = 16;

function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** The index terms of a text, in order, repeats kept (the builder counts them). */
export function textTerms(text: string): string[] {
  const normalized = normalize(text);
  const terms: string[] = [];
  for (const [run] of normalized.matchAll(HAN_RUN)) {
    const chars = [...run];
    if (chars.length === 1) terms.push(run);
    for (let i = 0; i + 1 < chars.length; i++) terms.push(chars[i]! + chars[i + 1]!);
  }
  for (const [word] of normalized.replace(HAN_RUN, ' ').matchAll(WORD)) {
    if ([...word].length >= 2 && !STOP_WORDS.has(word)) terms.push(word);
  }
  return terms;
}

export interface QueryTerm {
  term: string;
  /** Also match index terms that start with it. */
  prefix: boolean;
}

/**
 * What a query looks for: every term must match (a work lacking one is not a result). Han runs give their
 * bigrams (a lone character: a prefix over bigrams), Latin words their word, prefix-matching from three
 * characters. Empty when nothing searchable is left (single letters, stop words, punctuation).
 */
export function queryTerms(query: string): QueryTerm[] {
  const out = new Map<string, QueryTerm>();
  const normalized = normalize(query);
  for (const [run] of normalized.matchAll(HAN_RUN)) {
    const chars = [...run];
    if (chars.length === 1) out.set(run, { term: run, prefix: true });
    for (let i = 0; i + 1 < chars.length; i++) out.set(chars[i]! + chars[i + 1]!, { term: chars[i]! + chars[i + 1]!, prefix: false });
  }
  for (const [word] of normalized.replace(HAN_RUN, ' ').matchAll(WORD)) {
    const length = [...word].length;
    if (length >= 2 && !STOP_WORDS.has(word)) out.set(word, { term: word, prefix: length >= MIN_PREFIX_LENGTH });
  }
  return [...out.values()];
}

function hash(codePoint: number, buckets: number): number {
  return (Math.imul(codePoint, 2654435761) >>> 0) % buckets;
}

/** The shard file a term lives in: a prefix of a Latin term, a hash of a term's first character otherwise. */
export function shardOf(term: string): string {
  const first = term.codePointAt(0) ?? 0;
  if (/^[a-z0-9]{2}/.test(term)) return term.slice(0, 2);
  if (HAN.test(String.fromCodePoint(first))) return `h${hash(first, HAN_SHARDS)}`;
  return `x${hash(first, OTHER_SHARDS)}`;
}
