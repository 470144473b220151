import { describe, expect, it } from 'vitest';
import { sampleWork } from '../core/snapshot/test-fixtures.ts';
import { attr, escapeText } from './html.ts';
import { avatarHtml, cachedWorkCardParts, completenessHtml, workCardParts } from './work-card-html.ts';

describe('html strings', () => {
  it('escapes text as Astro does (& < > \' ") and attributes as Astro does (& and ")', () => {
    expect(escapeText(`a&b<c>'d"`)).toBe('a&amp;b&lt;c&gt;&#39;d&quot;');
    expect(escapeText('plain')).toBe('plain');
    expect(attr('alt', `a&b<"c">'`)).toBe(' alt="a&amp;b<&quot;c&quot;>\'"');
    expect(attr('width', 0)).toBe(' width="0"');
    expect(attr('hidden', true) + attr('data-x', '') + attr('srcset', null) + attr('title', undefined) + attr('hidden', false)).toBe(' hidden data-x');
  });
});

describe('work card markup', () => {
  const author = { id: 'liblib:a1', username: 'a&b', name: '<画师>', avatarUrl: null };

  it('renders the avatar initial and the stored avatar as author-avatar.astro did', () => {
    expect(avatarHtml({ author, size: 16, class: 'work-card__avatar' })).toBe(
      '<span class="avatar avatar--initial work-card__avatar" aria-hidden="true" data-avatar style="--avatar-size: 16px">&lt;</span>',
    );
    expect(avatarHtml({ author: { name: 'x', avatarUrl: '/media/a.png', avatarThumbs: [{ url: '/media/t/48/a.webp', width: 48 }, { url: '/media/t/96/a.webp', width: 96 }] }, size: 24, eager: true })).toBe(
      '<img class="avatar" src="/media/t/48/a.webp" srcset="/media/t/48/a.webp 48w, /media/t/96/a.webp 96w" sizes="24px" width="24" height="24" alt="" loading="eager" decoding="async" data-avatar style="--avatar-size: 24px">',
    );
  });

  it('renders the completeness badge', () => {
    expect(completenessHtml({ level: 'partial', label: '部分参数', title: '缺少：种子' })).toBe(
      '<span class="completeness completeness--partial" data-completeness="partial" title="缺少：种子">部分参数</span>',
    );
  });

  it('escapes the title and author, marks sensitive works, and reuses a cached card', () => {
    const work = sampleWork(7, { title: 'A & <B>', author, nsfwLevel: 'X', likeCount: 1200, favoriteCount: 34 });
    const card = workCardParts(work, { isNew: true });
    const html = card.head + card.tail;
    expect(html).toContain('data-sensitive><a class="work-card__link"');
    expect(html).toContain('<div class="work-card__media is-sensitive">');
    expect(html).toContain('<span class="nsfw-label">敏感内容</span>');
    expect(html).toContain('alt="A &amp; <B>"');
    expect(html).toContain('<h3 class="card__title work-card__title">A &amp; &lt;B&gt;</h3>');
    expect(html).toContain('<a class="work-card__author" href="/user/a%26b">');
    expect(html).toContain('&lt;画师&gt;</a>');
    expect(html).toContain('<span class="new-badge" title="最近一次更新新增的作品">新增</span>');
    expect(html).toContain('<span class="work-card__score" title="点赞 + 收藏">♥ 1,234 · </span>');
    expect(card.preview).toBeNull();
    expect(cachedWorkCardParts(work, { isNew: true })).toBe(cachedWorkCardParts(work, { isNew: true }));
    expect(cachedWorkCardParts(work, { huaku: { likes: 2, favorites: 0 } }).tail).toContain('data-huaku-filled>画库 ♥ 2 ★ 0</span>');
  });
});
