// The /search page's client: reads ?q= and the filters (?source=, ?model=, ?nsfw=hide), loads the search
// index's entry and facets (src/integrations/search-index.ts) and the term shards the query needs, ranks with
// the same code the unit tests run (src/site/search/search-index.ts), and shows authors, LoRAs and works —
// works as the site's own image grid (the markup of src/components/work-card.astro, its styles global in
// src/styles/work-grid.css). Everything is built with DOM calls and textContent: titles are upstream text.
import { decodeFacet, rankSearch, shardsFor, type RankedDoc, type SearchDocMeta } from '../../site/search/search-index.ts';
import { queryTerms } from '../../site/search/search-terms.ts';
import type { SearchEntryFile } from '../../site/search/search-files.ts';
import { SEARCH_DIR, SEARCH_ENTRY } from '../../site/search/search-files.ts';
import { layoutRatio } from '../../site/works.ts';

const WORK_PAGE = 24;
const SIDE_RESULTS = 6;
const SOURCE_NAMES: Record<string, string> = { liblib: 'Liblib', civitai: 'Civitai', modelscope: 'ModelScope', community: '社区' };

const json = new Map<string, Promise<unknown>>();
function fetchJson<T>(url: string): Promise<T> {
  let pending = json.get(url);
  if (!pending) {
    pending = fetch(url).then((response) => {
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return response.json();
    });
    pending.catch(() => json.delete(url));
    json.set(url, pending);
  }
  return pending as Promise<T>;
}

interface Loaded {
  entry: SearchEntryFile;
  facets: number[];
}
let loaded: Promise<Loaded> | null = null;
function loadIndex(): Promise<Loaded> {
  loaded ??= (async () => {
    const entry = await fetchJson<SearchEntryFile>(`/${SEARCH_DIR}/${SEARCH_ENTRY}`);
    return { entry, facets: await fetchJson<number[]>(`${entry.path}/facets.json`) };
  })();
  loaded.catch(() => (loaded = null));
  return loaded;
}

async function docs(index: Loaded, ids: readonly number[]): Promise<SearchDocMeta[]> {
  const size = index.entry.chunkSize;
  const chunks = await Promise.all([...new Set(ids.map((id) => Math.floor(id / size)))].map(async (c) => [c, await fetchJson<SearchDocMeta[]>(`${index.entry.path}/docs/${c}.json`)] as const));
  const byChunk = new Map(chunks);
  return ids.map((id) => byChunk.get(Math.floor(id / size))![id % size]!);
}

function node<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, children: Array<Node | string> = []): HTMLElementTagNameMap[K] {
  const el = Object.assign(document.createElement(tag), props);
  el.append(...children);
  return el;
}

/** One work as work-card.astro renders it (without the completeness badge, which the index does not carry). */
function workCard(doc: SearchDocMeta): HTMLLIElement {
  const img = node('img', { src: doc.i ?? '', alt: doc.t, loading: 'lazy', decoding: 'async' });
  if (doc.w && doc.h) {
    img.width = doc.w;
    img.height = doc.h;
  }
  const media = node('div', { className: `work-card__media${doc.n ? ' is-sensitive' : ''}` }, [img]);
  if (doc.n) media.append(node('span', { className: 'nsfw-label', textContent: '敏感内容' }));
  const link = node('a', { className: 'work-card__link', href: doc.u }, [media, node('h3', { className: 'card__title work-card__title', textContent: doc.t })]);
  const author = doc.au ? node('a', { className: 'work-card__author', href: doc.au, textContent: doc.a ?? '佚名' }) : node('span', { className: 'work-card__author', textContent: doc.a ?? '佚名' });
  const source = node('span', { className: 'work-card__source' });
  if (doc.l) source.append(node('span', { className: 'work-card__score', title: '点赞 + 收藏', textContent: `♥ ${doc.l.toLocaleString('zh-CN')} · ` }));
  source.append(doc.s ?? '');
  const article = node('article', { className: 'card card--lift work-card' }, [link, node('p', { className: 'card__foot work-card__meta' }, [author, source])]);
  if (doc.n) article.dataset.sensitive = '';
  const item = node('li', {}, [article]);
  item.style.setProperty('--wide', layoutRatio({ width: doc.w ?? null, height: doc.h ?? null }).toFixed(4));
  return item;
}

/** An author or a LoRA: a small row with its picture, name and one line. */
function sideResult(doc: SearchDocMeta, kind: 'author' | 'lora'): HTMLLIElement {
  const children: Node[] = [];
  if (doc.i) children.push(node('img', { className: `search-side__image search-side__image--${kind}`, src: doc.i, alt: '', width: 48, height: 48, loading: 'lazy', decoding: 'async' }));
  else children.push(node('span', { className: `search-side__image search-side__image--${kind}`, textContent: [...doc.t][0] ?? '?' }));
  const line = [doc.a, doc.s].filter(Boolean).join(' · ');
  children.push(node('span', { className: 'search-side__text' }, [node('strong', { textContent: doc.t }), node('small', { textContent: line })]));
  return node('li', { className: 'search-side__item' }, [node('a', { className: 'search-side__link', href: doc.u }, children)]);
}

interface Filters {
  source: string;
  model: string;
  hideSensitive: boolean;
}

function start(): void {
  const form = document.querySelector<HTMLFormElement>('[data-search-form]');
  const input = document.querySelector<HTMLInputElement>('[data-search-input]');
  const status = document.querySelector<HTMLElement>('[data-search-status]');
  const more = document.querySelector<HTMLButtonElement>('[data-search-more]');
  const sourceSelect = document.querySelector<HTMLSelectElement>('[data-search-source]');
  const modelSelect = document.querySelector<HTMLSelectElement>('[data-search-model]');
  const hideSensitive = document.querySelector<HTMLInputElement>('[data-search-hide-sensitive]');
  const sections = {
    author: document.querySelector<HTMLElement>('[data-search-section="author"]'),
    lora: document.querySelector<HTMLElement>('[data-search-section="lora"]'),
    work: document.querySelector<HTMLElement>('[data-search-section="work"]'),
  };
  if (!form || !input || !status || !more || !sourceSelect || !modelSelect || !hideSensitive || !sections.author || !sections.lora || !sections.work) return;
  const headerInput = document.querySelector<HTMLInputElement>('[data-site-search] input[name="q"]');
  const list = (section: HTMLElement) => section.querySelector<HTMLElement>('[data-search-list]')!;

  let generation = 0;
  let pendingWorks: number[] = [];
  let index: Loaded | null = null;

  function readUrl(): { query: string; filters: Filters } {
    const params = new URLSearchParams(location.search);
    return { query: params.get('q') ?? '', filters: { source: params.get('source') ?? '', model: params.get('model') ?? '', hideSensitive: params.get('nsfw') === 'hide' } };
  }

  function writeUrl(query: string, filters: Filters): void {
    const url = new URL(location.href);
    url.search = '';
    url.searchParams.set('q', query);
    if (filters.source) url.searchParams.set('source', filters.source);
    if (filters.model) url.searchParams.set('model', filters.model);
    if (filters.hideSensitive) url.searchParams.set('nsfw', 'hide');
    history.pushState(null, '', url);
  }

  /** The checkpoints the index offers as a filter (a stale one from the URL stays selectable). */
  function fillModels(entry: SearchEntryFile): void {
    const have = new Set([...modelSelect!.options].map((o) => o.value));
    for (const name of entry.models.slice(1)) if (!have.has(name)) modelSelect!.append(node('option', { value: name, textContent: name }));
  }

  function matches(id: number, filters: Filters, entry: SearchEntryFile): boolean {
    const facet = decodeFacet(index!.facets[id]!);
    if (facet.type !== 'work') return true;
    if (filters.source && entry.sources[facet.source] !== filters.source) return false;
    if (filters.hideSensitive && facet.sensitive) return false;
    if (filters.model && entry.models[facet.model] !== filters.model) return false;
    return true;
  }

  async function showMoreWorks(run: number): Promise<void> {
    const batch = pendingWorks.splice(0, WORK_PAGE);
    const metas = await docs(index!, batch);
    if (run !== generation) return;
    list(sections.work!).append(...metas.map(workCard));
    more!.hidden = pendingWorks.length === 0;
  }

  async function runQuery(query: string, filters: Filters): Promise<void> {
    const run = ++generation;
    for (const section of Object.values(sections)) {
      list(section!).replaceChildren();
      section!.hidden = true;
    }
    more!.hidden = true;
    pendingWorks = [];
    if (headerInput) headerInput.value = query;
    if (!query.trim()) {
      status!.textContent = '输入作品标题、提示词（中文或英文）、作者、LoRA 或模型名称进行搜索。';
      return;
    }
    status!.textContent = '正在搜索…';
    let ranked: RankedDoc[];
    try {
      index = await loadIndex();
      fillModels(index.entry);
      const terms = queryTerms(query);
      const keys = shardsFor(terms, new Set(index.entry.shards));
      const shards = new Map(await Promise.all(keys.map(async (key) => [key, await fetchJson<Record<string, number[]>>(`${index!.entry.path}/terms/${key}.json`)] as const)));
      ranked = rankSearch(terms, (key) => shards.get(key));
    } catch {
      if (run === generation) status!.textContent = '搜索暂时不可用（搜索索引未能加载），请稍后再试。';
      return;
    }
    if (run !== generation) return;
    const entry = index.entry;
    const byType = { work: [] as number[], lora: [] as number[], author: [] as number[] };
    for (const { doc } of ranked) if (matches(doc, filters, entry)) byType[decodeFacet(index.facets[doc]!).type].push(doc);
    try {
      for (const kind of ['author', 'lora'] as const) {
        const ids = byType[kind].slice(0, SIDE_RESULTS);
        if (ids.length === 0) continue;
        const metas = await docs(index, ids);
        if (run !== generation) return;
        list(sections[kind]!).append(...metas.map((doc) => sideResult(doc, kind)));
        sections[kind]!.hidden = false;
      }
      pendingWorks = [...byType.work];
      sections.work!.hidden = pendingWorks.length === 0;
      await showMoreWorks(run);
    } catch {
      if (run === generation) status!.textContent = '搜索暂时不可用（搜索索引未能加载），请稍后再试。';
      return;
    }
    if (run !== generation) return;
    const works = byType.work.length;
    const others = [byType.author.length > 0 ? `${byType.author.length} 位作者` : '', byType.lora.length > 0 ? `${byType.lora.length} 个 LoRA` : ''].filter(Boolean);
    // Announced once the results are in the lists, so whoever reads the status (a screen reader, a test) finds them there.
    status!.textContent =
      works === 0 && others.length === 0 ? `没有找到与“${query}”相关的结果。` : `找到 ${works} 件与“${query}”相关的作品${others.length ? `，以及 ${others.join('、')}` : ''}。`;
  }

  function currentFilters(): Filters {
    return { source: sourceSelect!.value, model: modelSelect!.value, hideSensitive: hideSensitive!.checked };
  }
  function submit(): void {
    const query = input!.value.trim();
    writeUrl(query, currentFilters());
    void runQuery(query, currentFilters());
  }
  function restore(): void {
    const { query, filters } = readUrl();
    input!.value = query;
    sourceSelect!.value = SOURCE_NAMES[filters.source] ? filters.source : '';
    if (![...modelSelect!.options].some((o) => o.value === filters.model)) modelSelect!.append(node('option', { value: filters.model, textContent: filters.model }));
    modelSelect!.value = filters.model;
    hideSensitive!.checked = filters.hideSensitive;
    void runQuery(query.trim(), { ...filters, source: sourceSelect!.value });
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  form.addEventListener('change', (event) => {
    if (event.target !== input) submit();
  });
  more.addEventListener('click', () => void showMoreWorks(generation));
  window.addEventListener('popstate', restore);
  restore();
}

start();
