// One artwork as a record of the static search index (src/integrations/pagefind-index.ts), built from the
// snapshot instead of from the built page: parsing tens of thousands of HTML pages was most of the index
// time. The record holds the words the artwork page shows (title, English title, author, prompts, models,
// tags) and the meta the /search page renders (src/components/search/search-client.ts).
import type { SnapshotWork } from '../core/snapshot/schema.ts';
import { modelLinks } from './artwork-details.ts';
import { isSensitive } from './nsfw.ts';
import { displayTitle, sortedImages, workPath } from './works.ts';

/**
 * The pages are `lang="zh-CN"` and pagefind's browser code picks the index whose language matches the
 * search page's; a `zh*` language also makes the extended pagefind binary segment Chinese into words.
 */
export const SEARCH_LANGUAGE = 'zh-cn';

export interface ArtworkSearchRecord {
  url: string;
  content: string;
  language: string;
  /** `title`, `image` (the cover thumbnail), `sensitive` (`1`: blur it) and, for works with an author, `author`. */
  meta: Record<string, string>;
}

export function artworkSearchRecord(work: SnapshotWork): ArtworkSearchRecord {
  const title = displayTitle(work);
  const englishTitle = work.titleEn && work.titleEn !== title ? work.titleEn : null;
  const authorName = work.author?.name || '佚名';
  const cover = sortedImages(work)[0];
  const meta: Record<string, string> = { title };
  if (cover) meta.image = cover.thumbUrl ?? cover.url;
  // The /search page blurs it as every list does (the visitor's switch unblurs it).
  if (cover && isSensitive(work.nsfwLevel)) meta.sensitive = '1';
  if (work.author) meta.author = authorName;
  const content = [
    title,
    englishTitle,
    authorName,
    work.prompt,
    work.negativePrompt,
    ...modelLinks(work.models).map((model) => model.name),
    ...work.tags,
  ]
    .filter((text): text is string => Boolean(text?.trim()))
    .join('\n');
  return { url: workPath(work), content, language: SEARCH_LANGUAGE, meta };
}
