// The markup of a work card (src/components/work-card.astro), its author avatar (author-avatar.astro) and
// completeness badge (artwork/completeness-badge.astro) as strings: a grid's cards are built here, once per
// work and reused by every page that lists the work (an artwork page shows eight related works), instead
// of three or four component instances per card and page. Their styles are global (src/styles/work-grid.css,
// avatar.css, completeness.css), so the markup carries no scoped-style attributes.
import { SOURCE_LABELS } from '../core/domain/labels.ts';
import type { SnapshotAuthor, SnapshotWork } from '../core/snapshot/schema.ts';
import { huakuCountsText } from '../components/community/huaku-counts.ts';
import { avatarImage, avatarInitial } from './avatar.ts';
import { attr, escapeText } from './html.ts';
import { isSensitive } from './nsfw.ts';
import { completenessBadge, type CompletenessBadge } from './recipe-view.ts';
import { coverImage, coverVideo, displayTitle, layoutRatio, reactionTotal, userPath, workPath } from './works.ts';

export interface AvatarOptions {
  author: Pick<SnapshotAuthor, 'name' | 'avatarUrl' | 'avatarThumbs'>;
  /** Displayed size in CSS pixels. */
  size: number;
  class?: string | undefined;
  /** Above the fold: load at once (the user page's header). */
  eager?: boolean | undefined;
}

/** An author's avatar: the stored copy with its thumbnails as srcset, else a round badge with the initial. */
export function avatarHtml({ author, size, class: className, eager = false }: AvatarOptions): string {
  const image = avatarImage(author, size);
  const classes = className ? `avatar ${className}` : 'avatar';
  const style = attr('style', `--avatar-size: ${size}px`);
  if (!image) {
    const initialClasses = className ? `avatar avatar--initial ${className}` : 'avatar avatar--initial';
    return `<span${attr('class', initialClasses)} aria-hidden="true" data-avatar${style}>${escapeText(avatarInitial(author.name))}</span>`;
  }
  return (
    `<img${attr('class', classes)}${attr('src', image.src)}${attr('srcset', image.srcset)}${attr('sizes', image.srcset ? `${size}px` : null)}` +
    `${attr('width', size)}${attr('height', size)} alt=""${attr('loading', eager ? 'eager' : 'lazy')} decoding="async" data-avatar${style}>`
  );
}

/** 可复现 / 部分参数 / 无参数 (src/site/recipe-view.ts's completenessBadge). */
export function completenessHtml(badge: CompletenessBadge): string {
  return `<span${attr('class', `completeness completeness--${badge.level}`)}${attr('data-completeness', badge.level)}${attr('title', badge.title)}>${escapeText(badge.label)}</span>`;
}

export interface WorkCardOptions {
  /** Above the fold: load at once instead of lazily. */
  eager?: boolean | undefined;
  /** The first row (the page's likely largest paint): fetched before the other eager images. */
  priority?: boolean | undefined;
  /** The card title's level, one below the heading of the list it is in. */
  headingLevel?: 2 | 3 | undefined;
  /** Added by the latest snapshot: shows the 新增 badge. */
  isNew?: boolean | undefined;
  /** Huaku's own likes and favorites when known now (a card rendered on demand); else read after load. */
  huaku?: { likes: number; favorites: number } | undefined;
}

/** A video card's muted preview (video-preview.astro, which work-card.astro renders between head and tail). */
export interface CardVideoPreview {
  previewUrl: string;
  width: number | null | undefined;
  height: number | null | undefined;
}

/** A card's markup: `head` + the video preview (when there is one) + `tail`. */
export interface WorkCardParts {
  head: string;
  preview: CardVideoPreview | null;
  tail: string;
}

export function workCardParts(work: SnapshotWork, { eager = false, priority = false, headingLevel = 3, isNew = false, huaku }: WorkCardOptions = {}): WorkCardParts {
  const title = displayTitle(work);
  const cover = coverImage(work);
  const video = coverVideo(work);
  const sensitive = isSensitive(work.nsfwLevel);
  const score = reactionTotal(work);
  // The box is about the row height × its ratio wide (work-grid.astro), a row's spare width shared out on top.
  const sizes = `(max-width: 640px) 50vw, ${Math.ceil(layoutRatio(cover) * 164 * 1.3)}px`;
  const huakuText = huaku ? huakuCountsText(huaku.likes, huaku.favorites) : '';
  const heading = `h${headingLevel}`;

  // Parts joined once: a string built with + is a rope of every piece, and a cached card would keep them all.
  const head = [
    `<article class="card card--lift work-card"${attr('data-work-id', work.id)}${attr('data-sensitive', sensitive ? '' : null)}${attr('data-video', video ? '' : null)}>`,
    `<a class="work-card__link"${attr('href', workPath(work))}><div${attr('class', sensitive ? 'work-card__media is-sensitive' : 'work-card__media')}>`,
    cover
      ? `<img${attr('src', cover.src)}${attr('srcset', cover.srcset)}${attr('sizes', cover.srcset ? sizes : null)}${attr('width', cover.width)}${attr('height', cover.height)}` +
        `${attr('alt', title)}${attr('loading', eager ? 'eager' : 'lazy')}${attr('fetchpriority', eager && priority ? 'high' : null)} decoding="async">`
      : '<span class="work-card__placeholder">暂无图片</span>',
  ].join('');

  const tail: string[] = [];
  if (video) tail.push('<span class="work-card__kind" title="视频作品">▶ 视频</span>');
  if (sensitive) tail.push('<span class="nsfw-label">敏感内容</span>');
  if (isNew) tail.push('<span class="new-badge" title="最近一次更新新增的作品">新增</span>');
  tail.push(`</div><${heading} class="card__title work-card__title">${escapeText(title)}</${heading}></a><p class="card__foot work-card__meta">`);
  tail.push(
    work.author
      ? `<a class="work-card__author"${attr('href', userPath(work.author.username))}>${avatarHtml({ author: work.author, size: 16, class: 'work-card__avatar' })}${escapeText(work.author.name || '佚名')}</a>`
      : '<span class="work-card__author">佚名</span>',
  );
  tail.push(
    `<span class="work-card__huaku" title="画库用户的点赞 · 收藏" data-huaku-counts${attr('data-huaku-filled', huaku ? '' : null)}${attr('hidden', !huakuText)}>${escapeText(huakuText)}</span>`,
    `<span class="work-card__source">${completenessHtml(completenessBadge(work))}`,
    score > 0 ? `<span class="work-card__score" title="点赞 + 收藏">♥ ${escapeText(score.toLocaleString('zh-CN'))} · </span>` : '',
    `${escapeText(SOURCE_LABELS[work.source])}</span></p></article>`,
  );

  const preview = video?.previewUrl ? { previewUrl: video.previewUrl, width: video.width, height: video.height } : null;
  return { head, preview, tail: tail.join('') };
}

/**
 * Cards already built, by options and work: the same related work appears on many artwork pages (an
 * author's other works on each of their pages, the newest works of a popular tag or model on hundreds).
 * Bounded (cleared when full: a card is 2–4 KB) so a 100k-work build does not keep a card for every work.
 */
const CARD_CACHE_LIMIT = 10_000;
const cardCache = new Map<string, Map<SnapshotWork, WorkCardParts>>();
let cachedCards = 0;

/** workCardParts, memoized for cards without Huaku's own counts (those are per request). */
export function cachedWorkCardParts(work: SnapshotWork, options: WorkCardOptions = {}): WorkCardParts {
  if (options.huaku) return workCardParts(work, options);
  const key = `${options.eager ? 1 : 0}${options.priority ? 1 : 0}${options.headingLevel ?? 3}${options.isNew ? 1 : 0}`;
  let byWork = cardCache.get(key);
  let parts = byWork?.get(work);
  if (parts) return parts;
  parts = workCardParts(work, options);
  if (cachedCards >= CARD_CACHE_LIMIT) {
    cardCache.clear();
    cachedCards = 0;
    byWork = undefined;
  }
  if (!byWork) cardCache.set(key, (byWork = new Map()));
  byWork.set(work, parts);
  cachedCards += 1;
  return parts;
}

/** The grid cell's aspect ratio (work-grid.css's --wide) for a card: its cover's. */
export function cardRatio(work: SnapshotWork): number {
  return layoutRatio(coverImage(work));
}

/** A grid cell's style: the card's ratio (work-grid.astro). */
export function gridCellStyle(work: SnapshotWork): string {
  return `--wide: ${cardRatio(work).toFixed(4)}`;
}
