// Related works for an artwork page: same author first, then shared models (checkpoints, LoRAs), then
// shared tags. Built once per build from every work; each work's candidates come from small indexes
// instead of a scan of the whole catalogue, so 100k works stay linear.
import type { SnapshotWork } from '../snapshot/schema.ts';
import { compareNewestFirst } from './works.ts';

/** What one shared trait is worth: the same author says more than a common tag. */
const WEIGHTS = { author: 4, model: 2, tag: 1 } as const;
/**
 * Candidates kept per key (newest first). A popular tag or checkpoint is shared by thousands of works;
 * its newest few are plenty of candidates and keep the work per page bounded.
 */
const BUCKET_LIMIT = 60;

type Keyed = Pick<SnapshotWork, 'id' | 'author' | 'models' | 'tags'>;

function keysOf(work: Keyed): { key: string; weight: number }[] {
  const keys: { key: string; weight: number }[] = [];
  if (work.author) keys.push({ key: `author:${work.author.id}`, weight: WEIGHTS.author });
  for (const name of new Set(work.models.map((m) => m.loraId ? `lora:${m.loraId}` : `model:${m.name.trim().toLowerCase()}`))) {
    keys.push({ key: name, weight: WEIGHTS.model });
  }
  for (const tag of new Set(work.tags.map((t) => t.trim()).filter(Boolean))) keys.push({ key: `tag:${tag}`, weight: WEIGHTS.tag });
  return keys;
}

/** Index `works` once; the returned function gives up to `limit` related works of one work, best first. */
export function relatedWorksIndex<W extends SnapshotWork>(works: readonly W[]): (work: W, limit?: number) => W[] {
  const buckets = new Map<string, W[]>();
  for (const work of [...works].sort(compareNewestFirst)) {
    for (const { key } of keysOf(work)) {
      const bucket = buckets.get(key) ?? [];
      if (bucket.length < BUCKET_LIMIT) bucket.push(work);
      buckets.set(key, bucket);
    }
  }
  return (work, limit = 8) => {
    const scores = new Map<W, number>();
    for (const { key, weight } of keysOf(work)) {
      for (const candidate of buckets.get(key) ?? []) {
        if (candidate.id !== work.id) scores.set(candidate, (scores.get(candidate) ?? 0) + weight);
      }
    }
    return [...scores]
      .sort(([a, sa], [b, sb]) => sb - sa || compareNewestFirst(a, b))
      .slice(0, limit)
      .map(([candidate]) => candidate);
  };
}
