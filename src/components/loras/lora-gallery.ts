// The gallery page's enhancement: every card is in the HTML (the page works without JavaScript); this
// runs the pure query (search, filters, sort, pagination) and shows the matching page of cards, keeping
// the query in the URL so a filtered view can be shared.
import { taskLabel, toGalleryItem, type GalleryEntry } from '../../site/loras/lora-display.ts';
import {
  DEFAULT_QUERY, parseCompare, parseQuery, queryToSearch, runQuery, SORTS, withCompare, type GalleryQuery, type GallerySort,
} from '../../site/loras/gallery-query.ts';
import { pageNumbers } from '../../site/pagination.ts';
import { installCompare } from './lora-compare.ts';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the gallery page`);
  return found as T;
}

const entries = JSON.parse(element('lora-index').textContent ?? '[]') as GalleryEntry[];
const items = entries.map(toGalleryItem);
const grid = element<HTMLUListElement>('lora-grid');
const cells = new Map<string, HTMLLIElement>();
for (const cell of grid.querySelectorAll<HTMLLIElement>(':scope > li[data-lora-id]')) cells.set(cell.dataset.loraId!, cell);

const form = element<HTMLFormElement>('lora-filters');
const search = element<HTMLInputElement>('lora-q');
const base = element<HTMLSelectElement>('lora-base');
const tag = element<HTMLSelectElement>('lora-tag');
const sort = element<HTMLSelectElement>('lora-sort');
const status = element<HTMLParagraphElement>('lora-status');
const empty = element<HTMLDivElement>('lora-empty');
const end = element<HTMLParagraphElement>('lora-end');
const pager = element<HTMLElement>('lora-pager');

let query: GalleryQuery = parseQuery(new URLSearchParams(location.search));

function taskInputs(): HTMLInputElement[] {
  return [...form.querySelectorAll<HTMLInputElement>('input[name="task"]')];
}

/** An option the page does not offer (a stale shared URL) counts as no filter. */
function selectValue(select: HTMLSelectElement, value: string): string {
  return [...select.options].some((o) => o.value === value) ? value : '';
}

function writeControls(): void {
  search.value = query.q;
  query.baseModel = base.value = selectValue(base, query.baseModel);
  query.tag = tag.value = selectValue(tag, query.tag);
  sort.value = query.sort;
  const task = taskInputs().find((input) => input.value === query.task) ?? taskInputs().find((input) => input.value === '');
  if (task) task.checked = true;
  query.task = task?.value ?? '';
}

function readControls(): void {
  query = {
    q: search.value,
    task: taskInputs().find((input) => input.checked)?.value ?? '',
    baseModel: base.value,
    tag: tag.value,
    sort: (SORTS as readonly string[]).includes(sort.value) ? (sort.value as GallerySort) : DEFAULT_QUERY.sort,
    page: 1,
  };
}

function pagerButton(label: string, page: number | null, options: { current?: boolean; rel?: string } = {}): HTMLElement {
  if (page === null) {
    const gap = document.createElement('span');
    gap.className = 'page-link page-link--inert';
    gap.textContent = label;
    return gap;
  }
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'page-link';
  button.textContent = label;
  button.dataset.page = String(page);
  if (options.current) button.setAttribute('aria-current', 'page');
  if (options.rel) button.dataset.rel = options.rel;
  return button;
}

function render(options: { scroll?: boolean } = {}): void {
  const result = runQuery(items, query);
  query.page = result.page;
  const shown = new Set(result.pageIds);
  for (const [id, cell] of cells) cell.hidden = !shown.has(id);
  // Cards in result order (the rest after them in page order), moved only when a sort changed the order:
  // the default view keeps the server's DOM untouched.
  const matched = new Set(result.matched);
  const order = [...result.matched, ...[...cells.keys()].filter((id) => !matched.has(id))];
  const current = [...grid.children].map((child) => (child as HTMLElement).dataset.loraId);
  if (order.some((id, i) => current[i] !== id)) grid.append(...order.map((id) => cells.get(id)!));

  const filtered = query.q.trim() !== '' || query.task !== '' || query.baseModel !== '' || query.tag !== '';
  const scope = query.task ? `「${taskLabel(query.task)}」中` : '';
  status.textContent =
    result.total === 0
      ? '没有找到符合条件的 LoRA'
      : `${filtered ? `${scope}找到 ${result.total} 个 LoRA（共 ${items.length} 个）` : `共 ${result.total} 个 LoRA`}` +
        (result.pageCount > 1 ? ` · 第 ${result.page} / ${result.pageCount} 页` : '');
  empty.hidden = result.total !== 0;
  end.hidden = result.total === 0 || result.page !== result.pageCount;

  pager.hidden = result.pageCount <= 1;
  const buttons: HTMLElement[] = [];
  if (result.page > 1) buttons.push(pagerButton('上一页', result.page - 1, { rel: 'prev' }));
  for (const n of pageNumbers(result.page, result.pageCount, 1)) buttons.push(pagerButton(n === null ? '…' : String(n), n, { current: n === result.page }));
  if (result.page < result.pageCount) buttons.push(pagerButton('下一页', result.page + 1, { rel: 'next' }));
  pager.querySelector('.pager__list')!.replaceChildren(...buttons);

  // The compare selection (lora-compare.ts) shares the URL: kept as it is.
  const search = withCompare(queryToSearch(query), parseCompare(new URLSearchParams(location.search)));
  history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`);
  if (options.scroll) {
    element('lora-results').scrollIntoView({ block: 'start' });
    // The pager's buttons were just replaced: move focus to the new page's status rather than lose it to <body>.
    status.focus({ preventScroll: true });
  }
}

let typing: ReturnType<typeof setTimeout> | undefined;
search.addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(() => {
    readControls();
    render();
  }, 150);
});
form.addEventListener('change', (event) => {
  if (event.target === search) return;
  readControls();
  render();
});
form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearTimeout(typing);
  readControls();
  render();
});
function clearFilters(): void {
  query = { ...DEFAULT_QUERY, sort: query.sort };
  writeControls();
  render();
}
form.addEventListener('reset', (event) => {
  event.preventDefault();
  clearFilters();
});
element('lora-empty-reset').addEventListener('click', clearFilters);
pager.addEventListener('click', (event) => {
  const button = (event.target as Element).closest<HTMLButtonElement>('button[data-page]');
  if (!button) return;
  query.page = Number(button.dataset.page);
  render({ scroll: true });
});

writeControls();
render();
installCompare(entries);
