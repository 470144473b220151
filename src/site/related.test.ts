import { describe, expect, it } from 'vitest';
import { sampleWork } from '../core/snapshot/test-fixtures.ts';
import { relatedWorksIndex } from './related.ts';

const author = (n: number) => ({ id: `liblib:a${n}`, username: `liblib-a${n}`, name: `作者${n}`, avatarUrl: null });
const checkpoint = (name: string) => ({ type: 'CHECKPOINT' as const, name, url: null, loraId: null });

describe('relatedWorksIndex', () => {
  const base = sampleWork(1, { author: author(1), models: [checkpoint('SDXL')], tags: ['风景'] });
  const sameAuthor = sampleWork(2, { author: author(1), models: [], tags: [] });
  const sameModel = sampleWork(3, { author: author(2), models: [checkpoint('sdxl ')], tags: [] });
  const sameTag = sampleWork(4, { author: author(3), models: [], tags: ['风景'] });
  const unrelated = sampleWork(5, { author: author(4), models: [checkpoint('Flux')], tags: ['人像'] });
  const related = relatedWorksIndex([base, sameAuthor, sameModel, sameTag, unrelated]);

  it('ranks the same author above shared models above shared tags, never the work itself or strangers', () => {
    expect(related(base).map((w) => w.id)).toEqual([sameAuthor.id, sameModel.id, sameTag.id]);
  });

  it('adds up shared traits and respects the limit', () => {
    const both = sampleWork(6, { author: author(2), models: [checkpoint('SDXL')], tags: ['风景'] });
    const index = relatedWorksIndex([base, sameModel, sameTag, both]);
    expect(index(base, 2).map((w) => w.id)).toEqual([both.id, sameModel.id]);
    // Scores of one page never leak into the next (the index reuses its score slots).
    expect(index(base, 2).map((w) => w.id)).toEqual([both.id, sameModel.id]);
    expect(index(sameTag).map((w) => w.id)).toEqual([both.id, base.id]);
  });

  it('breaks ties newest first', () => {
    const older = sampleWork(10, { author: author(5), models: [], tags: ['夜景'] });
    const newer = sampleWork(11, { author: author(6), models: [], tags: ['夜景'] });
    const self = sampleWork(12, { author: author(7), models: [], tags: ['夜景'] });
    expect(relatedWorksIndex([older, self, newer])(self).map((w) => w.id)).toEqual([newer.id, older.id]);
  });

  it('matches LoRAs by their catalogue id', () => {
    const lora = (name: string) => ({ type: 'LORA' as const, name, url: null, loraId: '42' });
    const a = sampleWork(7, { author: null, models: [lora('墨韵')], tags: [] });
    const b = sampleWork(8, { author: null, models: [lora('Ink v2')], tags: [] });
    expect(relatedWorksIndex([a, b])(a).map((w) => w.id)).toEqual([b.id]);
  });
});
