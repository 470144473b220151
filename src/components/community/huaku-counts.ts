// Huaku's own likes and favorites on the prerendered work cards, beside the source's ♥ figure: one
// request for every card on the page (/api/artworks/counts), when the browser is idle. Plain DOM and
// fetch, no framework: it ships with every page that lists works. Without the community server (a static
// copy of the site) the request fails and the cards simply keep only the source's figure.

const BATCH = 100;

/** "画库 ♥ 3 ★ 1"; empty when neither is above zero. */
export function huakuCountsText(likes: number, favorites: number): string {
  if (likes <= 0 && favorites <= 0) return '';
  return `画库 ♥ ${likes.toLocaleString('zh-CN')} ★ ${favorites.toLocaleString('zh-CN')}`;
}

export async function fillHuakuCounts(root: ParentNode = document): Promise<void> {
  const slots = new Map<string, HTMLElement[]>();
  for (const slot of root.querySelectorAll<HTMLElement>('[data-huaku-counts]:not([data-huaku-filled])')) {
    const id = slot.closest<HTMLElement>('article.work-card')?.dataset.workId;
    if (id && /^\d{1,15}$/.test(id)) slots.set(id, [...(slots.get(id) ?? []), slot]);
  }
  const ids = [...slots.keys()];
  for (let i = 0; i < ids.length; i += BATCH) {
    const response = await fetch(`/api/artworks/counts?ids=${ids.slice(i, i + BATCH).join(',')}`, { credentials: 'same-origin' }).catch(() => null);
    if (!response?.ok) return;
    const { counts } = (await response.json()) as { counts: Record<string, { likes: number; favorites: number }> };
    for (const [id, { likes, favorites }] of Object.entries(counts)) {
      for (const slot of slots.get(id) ?? []) {
        slot.textContent = huakuCountsText(likes, favorites);
        slot.hidden = slot.textContent === '';
        slot.dataset.huakuFilled = '';
      }
    }
  }
}
