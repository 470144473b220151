// GET /api/feed?order=hot|newest&cursor&limit: published artworks (community and ingested), cursor
// paginated, with the caller's liked/favorited state when signed in. Newly published works appear at once.
// GET /api/feed?since=<ISO time>: the works published after that time (the build's snapshot), newest first,
// each also as `cards[i].html`: the site's own work card (work-card.astro, rendered here) that the pages'
// fresh-works island puts above their static cards, with Huaku's own likes and favorites on it.
import type { APIRoute } from 'astro';
import { experimental_AstroContainer as AstroContainer } from 'astro/container';
import { z } from 'zod';
import WorkCard from '../../components/work-card.astro';
import { listItem } from '../../server/community/artworks.ts';
import { pageQuery } from '../../server/community/page-query.ts';
import { freshWorks, hotFeed, MAX_FRESH, newestFeed } from '../../server/community/pages.ts';
import { apiRoute } from '../../server/http/route.ts';
import { cardWork } from '../../site/fresh-card.ts';
import { cardRatio } from '../../site/work-card-html.ts';

export const prerender = false;

const query = pageQuery.extend({
  order: z.enum(['hot', 'newest']).default('hot'),
  since: z.iso.datetime({ offset: true, error: 'since 须为 ISO 时间（如 2026-01-01T00:00:00Z）' }).optional(),
});

let container: Promise<AstroContainer> | undefined;

export const GET: APIRoute = apiRoute({
  access: 'public',
  async handler({ url, services, viewer }) {
    const { order, cursor, limit, since } = query.parse(Object.fromEntries(url.searchParams));
    if (since !== undefined) {
      const fresh = await freshWorks(services, viewer, new Date(since), Math.min(limit, MAX_FRESH));
      container ??= AstroContainer.create();
      const renderer = await container;
      const cards = await Promise.all(
        fresh.map(async (entry) => {
          const work = cardWork(entry);
          const huaku = { likes: entry.item.like_count, favorites: entry.item.favorite_count };
          return { id: entry.item.id, ratio: cardRatio(work), html: await renderer.renderToString(WorkCard, { props: { work, huaku } }) };
        }),
      );
      return { order: 'newest' as const, since, items: fresh.map((entry) => listItem(entry.item)), next_cursor: null, cards };
    }
    const page = order === 'hot' ? await hotFeed(services, viewer, cursor, limit) : await newestFeed(services, viewer, cursor, limit);
    return { order, ...page };
  },
});
