// The gallery's search, filters, sort and pagination as pure functions over a compact index of the
// LoRAs. The page renders every card (it works without JavaScript); its script runs these and shows the
// matching page of cards.
import { pageCount } from '../pagination.ts';

export interface GalleryItem {
  id: string;
  /** Lowercased, NFKC-normalized text searched by the query: titles, author, tags, trigger words. */
  text: string;
  /** Task filter value (NO_TASK when the LoRA has none). */
  task: string;
  baseModels: string[];
  tags: string[];
  downloads: number;
  likes: number;
  /** Epoch ms, 0 when unknown. */
  updated: number;
}

export const SORTS = ['downloads', 'likes', 'updated'] as const;
export type GallerySort = (typeof SORTS)[number];

export interface GalleryQuery {
  q: string;
  /** '' = any. */
  task: string;
  baseModel: string;
  tag: string;
  sort: GallerySort;
  /** 1-based; clamped to the pages there are. */
  page: number;
}

export const DEFAULT_QUERY: GalleryQuery = { q: '', task: '', baseModel: '', tag: '', sort: 'downloads', page: 1 };
export const PAGE_SIZE = 24;

/** Case- and width-insensitive form for matching (全角 ＳＤＸＬ finds SDXL). */
function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** The searchable text of a LoRA: every string field a visitor might type, joined. */
export function searchText(fields: ReadonlyArray<string | null | undefined | readonly string[]>): string {
  return normalizeText(fields.flat().filter((f): f is string => Boolean(f)).join('\n'));
}

/** Every whitespace-separated term of the query appears in the item's text. */
export function matchesSearch(item: Pick<GalleryItem, 'text'>, q: string): boolean {
  const terms = normalizeText(q).split(/\s+/).filter(Boolean);
  return terms.every((term) => item.text.includes(term));
}

function matchesFilters(item: GalleryItem, query: Pick<GalleryQuery, 'task' | 'baseModel' | 'tag'>): boolean {
  return (
    (query.task === '' || item.task === query.task) &&
    (query.baseModel === '' || item.baseModels.includes(query.baseModel)) &&
    (query.tag === '' || item.tags.includes(query.tag))
  );
}

const sortKeys: Record<GallerySort, (item: GalleryItem) => number> = {
  downloads: (item) => item.downloads,
  likes: (item) => item.likes,
  updated: (item) => item.updated,
};

export interface GalleryResult {
  /** Ids of every match, in display order. */
  matched: string[];
  /** Ids shown on the current page. */
  pageIds: string[];
  total: number;
  page: number;
  pageCount: number;
}

/** Search, filter, sort (descending, then by id for a stable order), then cut out the page. */
export function runQuery(items: readonly GalleryItem[], query: GalleryQuery, pageSize = PAGE_SIZE): GalleryResult {
  const key = sortKeys[query.sort];
  const matched = items
    .filter((item) => matchesFilters(item, query) && matchesSearch(item, query.q))
    .sort((a, b) => key(b) - key(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((item) => item.id);
  const pages = pageCount(matched.length, pageSize);
  const page = Math.min(Math.max(1, Math.trunc(query.page) || 1), pages);
  return { matched, pageIds: matched.slice((page - 1) * pageSize, page * pageSize), total: matched.length, page, pageCount: pages };
}

const PARAM_NAMES: Record<Exclude<keyof GalleryQuery, 'page' | 'sort'>, string> = { q: 'q', task: 'task', baseModel: 'base', tag: 'tag' };

/** The query from the page URL (`?q=…&task=…&base=…&tag=…&sort=…&page=…`); unknown values fall back to defaults. */
export function parseQuery(params: URLSearchParams): GalleryQuery {
  const sort = params.get('sort');
  const page = Number.parseInt(params.get('page') ?? '', 10);
  return {
    q: params.get(PARAM_NAMES.q) ?? '',
    task: params.get(PARAM_NAMES.task) ?? '',
    baseModel: params.get(PARAM_NAMES.baseModel) ?? '',
    tag: params.get(PARAM_NAMES.tag) ?? '',
    sort: (SORTS as readonly string[]).includes(sort ?? '') ? (sort as GallerySort) : DEFAULT_QUERY.sort,
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

/** The URL search string of a query, defaults left out (so the plain gallery stays `/loras`). */
export function queryToSearch(query: GalleryQuery): string {
  const params = new URLSearchParams();
  for (const [field, name] of Object.entries(PARAM_NAMES) as Array<[keyof typeof PARAM_NAMES, string]>) {
    if (query[field] !== '') params.set(name, query[field]);
  }
  if (query.sort !== DEFAULT_QUERY.sort) params.set('sort', query.sort);
  if (query.page > 1) params.set('page', String(query.page));
  const search = params.toString();
  return search ? `?${search}` : '';
}

/** Distinct values with how many items have each, most frequent first (then alphabetical): filter options. */
export function facetCounts(values: ReadonlyArray<readonly string[]>): Array<{ value: string; count: number }> {
  const counts = new Map<string, number>();
  for (const list of values) for (const value of new Set(list)) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value, 'zh-CN'));
}

/** At most this many LoRAs are compared at once (the compare dialog's columns). */
export const COMPARE_MAX = 4;
const COMPARE_PARAM = 'compare';

/** The compare selection in the URL (`?compare=12,34`): distinct ids in order, at most COMPARE_MAX. */
export function parseCompare(params: URLSearchParams): string[] {
  const ids = (params.get(COMPARE_PARAM) ?? '').split(',').map((id) => id.trim()).filter(Boolean);
  return [...new Set(ids)].slice(0, COMPARE_MAX);
}

/** `search` (a URL search string) with the compare selection set, or removed when empty. */
export function withCompare(search: string, ids: readonly string[]): string {
  const params = new URLSearchParams(search);
  if (ids.length > 0) params.set(COMPARE_PARAM, ids.join(','));
  else params.delete(COMPARE_PARAM);
  const text = params.toString().replace(/%2C/gi, ',');
  return text ? `?${text}` : '';
}
