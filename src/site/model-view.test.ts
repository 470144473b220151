import { describe, expect, it } from 'vitest';
import type { SnapshotModel } from '../core/snapshot/schema.ts';
import { memberRows, modelWorkIds } from './model-view.ts';

const member = (source: SnapshotModel['members'][number]['source'], method: SnapshotModel['members'][number]['method'], workIds: string[]): SnapshotModel['members'][number] => ({
  source, type: 'CHECKPOINT', modelName: 'ChilloutMix', versionName: 'fp16', modelId: null, versionId: null, sha256: null, autoV2: null, baseModel: 'SD 1.5',
  pageUrl: null, downloads: 1234, likes: null, loraId: null, method, matched: method === 'name' ? 'chilloutmix @ sd15' : null, workIds, workCount: workIds.length,
});

describe('model view', () => {
  it('takes works from every source in turns, each once', () => {
    const model: SnapshotModel = { id: 'm', type: 'CHECKPOINT', name: 'ChilloutMix', members: [member('liblib', 'origin', ['1', '2', '3', '4']), member('civitai', 'name', ['9', '2'])] };
    expect(modelWorkIds(model)).toEqual(['1', '9', '2', '3', '4']);
    expect(modelWorkIds(model, 3)).toEqual(['1', '9', '2']);
  });

  it('marks the name + base model link as weaker, and shows counts per source', () => {
    const rows = memberRows({ id: 'm', type: 'CHECKPOINT', name: 'ChilloutMix', members: [member('liblib', 'origin', []), member('civitai', 'name', [])] });
    expect(rows.map((r) => [r.source, r.method, r.weak, r.baseModel, r.downloads, r.likes])).toEqual([
      ['Liblib', '首个来源', false, 'SD 1.5', '1,234', '—'],
      ['Civitai', '名称与基础模型相同（较弱）', true, 'SD 1.5', '1,234', '—'],
    ]);
  });
});
