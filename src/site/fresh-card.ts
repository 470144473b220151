// A work published after the build, as the one work card (work-card.astro) takes it: the API's artwork in
// the snapshot's work shape, so /api/feed?since renders the very card the static pages prerender.
import type { SnapshotWork } from '../core/snapshot/schema.ts';
import type { FreshWork } from '../server/community/pages.ts';

export function cardWork({ item, completeness }: FreshWork): SnapshotWork {
  const image = item.image;
  return {
    id: String(item.id),
    source: item.source,
    externalId: String(item.id),
    slug: item.slug,
    title: item.title,
    titleEn: item.title_en,
    publishedAt: item.published_at,
    author: item.author?.username ? { id: item.author.id, username: item.author.username, name: item.author.name, avatarUrl: item.author.avatar_url } : null,
    prompt: item.prompt,
    negativePrompt: item.negative_prompt,
    params: { sampler: null, steps: null, cfgScale: null, width: null, height: null, seed: null },
    images: image ? [{ index: 0, url: image.url, thumbUrl: image.thumb_url, width: image.width, height: image.height }] : [],
    models: [],
    // The card's ♥ figure is the source's; Huaku's own counts are passed to the card apart.
    likeCount: item.source_like_count ?? 0,
    favoriteCount: item.source_favorite_count ?? 0,
    sourceUrl: item.source_url,
    nsfwLevel: item.nsfw_level,
    tags: item.tags,
    completeness,
  };
}
