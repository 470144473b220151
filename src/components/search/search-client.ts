// The /search page's client: reads ?q=, runs it against the pagefind index built after `astro build`
// (/pagefind/pagefind.js, loaded only here) and renders the results as plain DOM. Without JavaScript the
// page still shows the form and a hint (see search.astro); nothing here runs on other pages.

/** What pagefind's `result.data()` resolves to (the fields we read). */
interface PagefindResultData {
  url: string;
  excerpt: string;
  meta: Record<string, string | undefined>;
}
interface PagefindModule {
  options: (options: Record<string, unknown>) => Promise<void>;
  search: (query: string) => Promise<{ results: Array<{ id: string; data: () => Promise<PagefindResultData> }> } | null>;
}

const PAGE_SIZE = 20;
const PAGEFIND_URL = '/pagefind/pagefind.js';

let pagefindPromise: Promise<PagefindModule> | null = null;
function loadPagefind(): Promise<PagefindModule> {
  // A runtime URL, not a module Vite should bundle: the index is written after Vite has finished.
  pagefindPromise ??= import(/* @vite-ignore */ PAGEFIND_URL).then(async (module: PagefindModule) => {
    await module.options({ excerptLength: 40 });
    return module;
  });
  return pagefindPromise;
}

/**
 * Pagefind's excerpt is HTML with `<mark>` around hits. Parse it in an inert <template> and copy only
 * text and <mark>, so whatever a prompt contains (`<script>`, `<img onerror>`) stays text.
 */
function excerptNodes(html: string): Node[] {
  const template = document.createElement('template');
  template.innerHTML = html;
  const out: Node[] = [];
  for (const node of template.content.childNodes) {
    if (node.nodeName === 'MARK') {
      const mark = document.createElement('mark');
      mark.textContent = node.textContent;
      out.push(mark);
    } else {
      out.push(document.createTextNode(node.textContent ?? ''));
    }
  }
  return out;
}

function renderResult(data: PagefindResultData): HTMLLIElement {
  const item = document.createElement('li');
  item.className = 'search-result';
  const link = document.createElement('a');
  link.className = 'search-result__link';
  // Records carry the canonical URL (src/site/search-record.ts); an index of built pages would name them
  // by their directory (`/artwork/x/y/`), so drop a trailing slash either way.
  link.href = data.url.length > 1 ? data.url.replace(/\/$/, '') : data.url;
  if (data.meta.image) {
    const img = document.createElement('img');
    img.className = 'search-result__image';
    img.src = data.meta.image;
    img.alt = ''; // the title next to it names the link
    img.width = 96;
    img.height = 96;
    img.loading = 'lazy';
    img.decoding = 'async';
    if (data.meta.sensitive === '1') {
      // Blurred like the work cards (src/styles/nsfw.css) until the visitor turns sensitive content on.
      const media = document.createElement('span');
      media.className = 'search-result__media is-sensitive';
      const label = document.createElement('span');
      label.className = 'nsfw-label';
      label.textContent = '敏感';
      media.append(img, label);
      link.append(media);
    } else {
      link.append(img);
    }
  }
  const body = document.createElement('div');
  const title = document.createElement('h2');
  title.className = 'search-result__title';
  title.textContent = data.meta.title?.trim() || '无题';
  body.append(title);
  const byline = [data.meta.author, data.meta.models].filter(Boolean).join(' · ');
  if (byline) {
    const meta = document.createElement('p');
    meta.className = 'search-result__meta';
    meta.textContent = byline;
    body.append(meta);
  }
  const excerpt = document.createElement('p');
  excerpt.className = 'search-result__excerpt';
  excerpt.append(...excerptNodes(data.excerpt));
  body.append(excerpt);
  link.append(body);
  item.append(link);
  return item;
}

function start(): void {
  const form = document.querySelector<HTMLFormElement>('[data-search-form]');
  const input = document.querySelector<HTMLInputElement>('[data-search-input]');
  const status = document.querySelector<HTMLElement>('[data-search-status]');
  const list = document.querySelector<HTMLOListElement>('[data-search-results]');
  const more = document.querySelector<HTMLButtonElement>('[data-search-more]');
  if (!form || !input || !status || !list || !more) return;
  const headerInput = document.querySelector<HTMLInputElement>('[data-site-search] input[name="q"]');

  let generation = 0;
  let pending: Array<() => Promise<PagefindResultData>> = [];

  async function showMore(run: number): Promise<void> {
    const batch = pending.splice(0, PAGE_SIZE);
    const items = await Promise.all(batch.map((load) => load()));
    if (run !== generation) return; // a newer query replaced this one
    list!.append(...items.map(renderResult));
    more!.hidden = pending.length === 0;
  }

  async function runQuery(query: string): Promise<void> {
    const run = ++generation;
    list!.replaceChildren();
    more!.hidden = true;
    pending = [];
    if (headerInput) headerInput.value = query;
    if (!query) {
      status!.textContent = '输入作品标题、提示词（中文或英文）、作者或模型名称进行搜索。';
      return;
    }
    status!.textContent = '正在搜索…';
    let search;
    try {
      search = await (await loadPagefind()).search(query);
    } catch {
      if (run === generation) status!.textContent = '搜索暂时不可用（搜索索引未能加载），请稍后再试。';
      return;
    }
    if (run !== generation || !search) return;
    const total = search.results.length;
    pending = search.results.map((result) => result.data);
    // The count is announced once the first results are in the list, so whoever reads the status (a screen
    // reader, a test) finds them there.
    try {
      await showMore(run);
    } catch {
      if (run === generation) status!.textContent = '搜索暂时不可用（搜索索引未能加载），请稍后再试。';
      return;
    }
    if (run !== generation) return;
    status!.textContent = total === 0 ? `没有找到与“${query}”相关的作品。` : `找到 ${total} 件与“${query}”相关的作品。`;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = input.value.trim();
    const url = new URL(location.href);
    url.searchParams.set('q', query);
    history.pushState(null, '', url);
    void runQuery(query);
  });
  more.addEventListener('click', () => void showMore(generation));
  window.addEventListener('popstate', () => {
    input.value = new URLSearchParams(location.search).get('q') ?? '';
    void runQuery(input.value.trim());
  });

  input.value = new URLSearchParams(location.search).get('q') ?? '';
  void runQuery(input.value.trim());
}

start();
