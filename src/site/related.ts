// Related works for an artwork page: same author first, then shared models (checkpoints, LoRAs), then
// shared tags. Built once per build from every work; each work's candidates come from small indexes
// instead of a scan of the whole catalogue, so 100k works stay linear.
import type { SnapshotWork } from '../core/snapshot/schema.ts';
import { sortNewestFirst } from './works.ts';

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
  // A work's position in newest-first order is its recency rank: buckets hold ranks, and ties between
  // candidates are broken by comparing two numbers instead of parsing two dates, on every page.
  const newest = sortNewestFirst(works);
  const bucketsByKey = new Map<string, number[]>();
  // Each indexed work's buckets with their weights, found once here instead of rebuilding its keys (and
  // hashing them) on every page.
  const bucketsByWork = new Map<W, { bucket: number[]; weight: number }[]>();
  const bucketsOf = (work: W) => keysOf(work).flatMap(({ key, weight }) => {
    const bucket = bucketsByKey.get(key);
    return bucket ? [{ bucket, weight }] : [];
  });
  newest.forEach((work, rank) => {
    for (const { key } of keysOf(work)) {
      let bucket = bucketsByKey.get(key);
      if (!bucket) bucketsByKey.set(key, (bucket = []));
      if (bucket.length < BUCKET_LIMIT) bucket.push(rank);
    }
  });
  for (const work of newest) bucketsByWork.set(work, bucketsOf(work));
  // One score slot per work, reused by every page (zeroed after use): the candidates of a page are a
  // few hundred, and typed-array slots are much cheaper than a Map from work to score.
  const scoreByRank = new Uint32Array(newest.length);
  return (work, limit = 8) => {
    const candidates: number[] = [];
    for (const { bucket, weight } of bucketsByWork.get(work) ?? bucketsOf(work)) {
      for (const rank of bucket) {
        if (newest[rank]!.id === work.id) continue;
        if (scoreByRank[rank] === 0) candidates.push(rank);
        scoreByRank[rank] = scoreByRank[rank]! + weight;
      }
    }
    candidates.sort((rankA, rankB) => scoreByRank[rankB]! - scoreByRank[rankA]! || rankA - rankB);
    const best = candidates.slice(0, limit).map((rank) => newest[rank]!);
    for (const rank of candidates) scoreByRank[rank] = 0;
    return best;
  };
}
