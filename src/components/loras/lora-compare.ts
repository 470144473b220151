// Compare mode of the gallery (seed 001 §9.4 "对比模式"): tick 2–4 LoRAs, the compare dialog shows them
// side by side. Built with DOM calls and textContent only: LoRA titles are upstream text. The selection
// lives in the URL (`?compare=…`), so a reload or a shared link keeps it.
import { COMPARE_MAX, parseCompare, withCompare } from '../../site/loras/gallery-query.ts';
import { baseModelLabel, formatCount, taskLabel, type GalleryEntry } from '../../site/loras/lora-display.ts';
import { loraPath } from '../../site/works.ts';

const COMPARE_MIN = 2;

function node<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, children: Array<Node | string> = []) {
  const el = Object.assign(document.createElement(tag), props);
  el.append(...children);
  return el;
}

function column(entry: GalleryEntry, onRemove: (id: string) => void): HTMLElement {
  const p = entry.params;
  const rows: Array<[string, string]> = [
    ['任务', taskLabel(entry.task)],
    ['作者', entry.author ?? '佚名'],
    ['基础模型', entry.baseModels.map(baseModelLabel).join('、') || '—'],
    ['标签', entry.tags.join('、') || '—'],
    ['下载', formatCount(entry.downloads)],
    ['喜欢', formatCount(entry.likes)],
    ['LoRA 权重', String(p.weight)],
    ['采样器', p.sampler],
    ['步数', String(p.steps)],
    ['CFG', String(p.cfgScale)],
    ['尺寸', `${p.width}×${p.height}`],
  ];
  const img = node('img', { src: entry.cover, alt: entry.title, width: 400, height: 500, decoding: 'async' });
  img.setAttribute('data-cover-fallback', '');
  const remove = node('button', { type: 'button', className: 'button button--small compare__remove', textContent: '移除' });
  remove.setAttribute('aria-label', `从对比中移除 ${entry.title}`);
  remove.addEventListener('click', () => onRemove(entry.id));
  return node('article', { className: 'compare__column' }, [
    node('div', { className: 'compare__media' }, [img]),
    node('h3', { className: 'compare__title' }, [node('a', { href: loraPath(entry.id), textContent: entry.title })]),
    node(
      'dl',
      { className: 'compare__facts' },
      rows.flatMap(([term, value]) => [node('dt', { textContent: term }), node('dd', { textContent: value })]),
    ),
    remove,
  ]);
}

export function installCompare(entries: readonly GalleryEntry[]): void {
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const bar = document.getElementById('compare-bar')!;
  const count = document.getElementById('compare-count')!;
  const open = document.getElementById('compare-open') as HTMLButtonElement;
  const clear = document.getElementById('compare-clear') as HTMLButtonElement;
  const dialog = document.getElementById('compare-dialog') as HTMLDialogElement;
  const grid = document.getElementById('compare-grid')!;
  const generate = document.getElementById('compare-generate') as HTMLAnchorElement;
  const dialogGenerate = document.getElementById('compare-dialog-generate') as HTMLAnchorElement;
  const strength = document.getElementById('compare-strength') as HTMLAnchorElement;
  const toggles = [...document.querySelectorAll<HTMLInputElement>('input[data-compare-toggle]')];
  const selected: string[] = parseCompare(new URLSearchParams(location.search)).filter((id) => byId.has(id));

  for (const label of document.querySelectorAll<HTMLElement>('[data-compare-label]')) label.hidden = false;

  function fill(): void {
    grid.style.setProperty('--compare-columns', String(Math.max(selected.length, 1)));
    grid.replaceChildren(...selected.map((id) => column(byId.get(id)!, remove)));
  }

  function sync(): void {
    const full = selected.length >= COMPARE_MAX;
    for (const toggle of toggles) {
      toggle.checked = selected.includes(toggle.value);
      toggle.disabled = full && !toggle.checked;
    }
    bar.hidden = selected.length === 0;
    // 对比生成 (2–4 LoRAs, one prompt and seed) and 强度对比 (one LoRA across weights) on /generate.
    const ids = selected.map(encodeURIComponent).join(',');
    generate.href = dialogGenerate.href = `/generate?compare=loras&loras=${ids}`;
    generate.setAttribute('aria-disabled', String(selected.length < COMPARE_MIN));
    strength.href = `/generate?compare=strength&lora=${encodeURIComponent(selected[0] ?? '')}`;
    strength.hidden = selected.length !== 1;
    count.textContent = `已选 ${selected.length} 个（${COMPARE_MIN}–${COMPARE_MAX} 个可对比）`;
    open.disabled = selected.length < COMPARE_MIN;
    history.replaceState(history.state, '', `${location.pathname}${withCompare(location.search, selected)}${location.hash}`);
    if (dialog.open) {
      if (selected.length < COMPARE_MIN) dialog.close();
      else fill();
    }
  }

  function remove(id: string): void {
    const at = selected.indexOf(id);
    if (at >= 0) selected.splice(at, 1);
    sync();
  }

  for (const toggle of toggles) {
    toggle.addEventListener('change', () => {
      if (toggle.checked && !selected.includes(toggle.value) && byId.has(toggle.value)) selected.push(toggle.value);
      if (!toggle.checked) remove(toggle.value);
      sync();
    });
  }
  open.addEventListener('click', () => {
    fill();
    dialog.showModal();
  });
  clear.addEventListener('click', () => {
    selected.length = 0;
    sync();
  });
  document.getElementById('compare-close')!.addEventListener('click', () => dialog.close());
  sync();
}
