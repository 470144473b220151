// The fresh-works island's script (fresh-works.astro): fetch the works published since the page's snapshot
// and put their cards (HTML rendered by the server from work-card.astro) into the section's grid, newest
// first. Cards of works the page already lists are skipped. Plain DOM, a few hundred bytes.

interface FreshCard {
  id: number;
  ratio: number;
  html: string;
}

/** The scoping marks of the grid's own items (Astro's data-astro-cid-* attributes or astro-* classes). */
function scopeOf(grid: HTMLElement): { attributes: string[]; classes: string[] } {
  return {
    attributes: grid.getAttributeNames().filter((name) => name.startsWith('data-astro-cid-')),
    classes: [...grid.classList].filter((name) => name.startsWith('astro-')),
  };
}

export async function showFreshWorks(section: HTMLElement): Promise<void> {
  const since = section.dataset.since;
  const grid = section.querySelector<HTMLElement>('ul');
  if (!since || !grid) return;
  const response = await fetch(`/api/feed?since=${encodeURIComponent(since)}`, { credentials: 'same-origin' }).catch(() => null);
  if (!response?.ok) return;
  const { cards } = (await response.json()) as { cards?: FreshCard[] };
  const shown = new Set([...document.querySelectorAll<HTMLElement>('article.work-card')].map((card) => card.dataset.workId));
  const scope = scopeOf(grid);
  for (const card of cards ?? []) {
    if (shown.has(String(card.id))) continue;
    const item = document.createElement('li');
    for (const name of scope.attributes) item.setAttribute(name, '');
    item.classList.add(...scope.classes);
    item.style.setProperty('--ratio', card.ratio.toFixed(4));
    item.innerHTML = card.html;
    grid.append(item);
  }
  section.hidden = grid.childElementCount === 0;
}
