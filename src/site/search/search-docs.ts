// Works, LoRAs and authors as documents of the search index (search-index.ts): the fields searched, with
// their weights, and what a result shows. A title outweighs the prompt, the prompt and the models outweigh
// the author's name, and tags count least: a word that is only a tag (汽车 on every work of a Liblib
// category) must not outrank the works that show it. Negative prompts are not searched: they name what a
// picture is not.
import type { SnapshotAuthorEntry, SnapshotLora, SnapshotWork } from '../../core/snapshot/schema.ts';
import { SOURCE_LABELS } from '../../core/domain/labels.ts';
import { modelLinks } from '../artwork-details.ts';
import { cardCover, loraSubtitle, loraTitle } from '../loras/lora-display.ts';
import { isSensitive } from '../nsfw.ts';
import { coverImage, displayTitle, isListed, loraPath, reactionTotal, userPath, workPath } from '../works.ts';
import type { SearchDocInput } from './search-index.ts';
import { avatarImage } from '../avatar.ts';

const FIELD_WEIGHTS = { title: 10, alternateTitle: 8, name: 10, prompt: 4, model: 4, trigger: 4, author: 3, tag: 1 } as const;

/** A listed work (one with an image) as a search document; null for the others. */
export function workSearchDoc(work: SnapshotWork): SearchDocInput | null {
  if (!isListed(work)) return null;
  const cover = coverImage(work)!;
  const models = modelLinks(work.models);
  return {
    type: 'work',
    fields: [
      { text: work.title, weight: FIELD_WEIGHTS.title },
      { text: work.titleEn, weight: FIELD_WEIGHTS.alternateTitle },
      { text: work.prompt, weight: FIELD_WEIGHTS.prompt },
      ...models.map((m) => ({ text: m.name, weight: FIELD_WEIGHTS.model })),
      { text: work.author?.name, weight: FIELD_WEIGHTS.author },
      ...work.tags.map((tag) => ({ text: tag, weight: FIELD_WEIGHTS.tag })),
    ],
    meta: {
      u: workPath(work),
      t: displayTitle(work),
      i: cover.src,
      ...(cover.width && cover.height ? { w: cover.width, h: cover.height } : {}),
      ...(work.author ? { a: work.author.name || '佚名', au: userPath(work.author.username) } : { a: '佚名' }),
      s: SOURCE_LABELS[work.source],
      ...(isSensitive(work.nsfwLevel) ? { n: 1 as const } : {}),
      ...(reactionTotal(work) > 0 ? { l: reactionTotal(work) } : {}),
    },
    source: work.source,
    sensitive: isSensitive(work.nsfwLevel),
    checkpoint: models.find((m) => m.type === 'CHECKPOINT')?.name ?? null,
  };
}

export function loraSearchDoc(lora: SnapshotLora): SearchDocInput {
  const cover = cardCover(lora);
  const subtitle = loraSubtitle(lora);
  return {
    type: 'lora',
    fields: [
      { text: lora.titleCn, weight: FIELD_WEIGHTS.title },
      { text: lora.titleEn, weight: FIELD_WEIGHTS.alternateTitle },
      ...lora.triggerWords.map((text) => ({ text, weight: FIELD_WEIGHTS.trigger })),
      { text: lora.author, weight: FIELD_WEIGHTS.author },
      ...[...lora.tagsCn, ...lora.tagsEn, ...lora.baseModels].map((text) => ({ text, weight: FIELD_WEIGHTS.tag })),
    ],
    meta: { u: loraPath(lora.id), t: loraTitle(lora), i: cover.src, ...(subtitle ? { a: subtitle } : {}), s: SOURCE_LABELS[lora.source] },
    source: lora.source,
    sensitive: false,
    checkpoint: null,
  };
}

export function authorSearchDoc(author: SnapshotAuthorEntry): SearchDocInput {
  // Shown at 48 px beside the results (search-client.ts).
  const avatar = avatarImage(author, 48);
  return {
    type: 'author',
    fields: [
      { text: author.name, weight: FIELD_WEIGHTS.name },
      { text: author.username, weight: FIELD_WEIGHTS.author },
    ],
    meta: {
      u: userPath(author.username),
      t: author.name || author.username,
      ...(avatar ? { i: avatar.src } : {}),
      a: `${author.workCount} 件作品`,
      s: SOURCE_LABELS[author.source],
    },
    source: author.source,
    sensitive: false,
    checkpoint: null,
  };
}
