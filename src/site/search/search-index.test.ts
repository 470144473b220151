// The search relevance set (issue 17): Chinese and English queries over a small catalogue, each with the
// result that must come first, run through the real builder and ranker in memory (no browser, no files).
import { describe, expect, it } from 'vitest';
import type { SnapshotAuthorEntry, SnapshotWork } from '../../core/snapshot/schema.ts';
import { sampleLora, sampleWork } from '../../core/snapshot/test-fixtures.ts';
import { loraPath, userPath, workPath } from '../works.ts';
import { authorSearchDoc, loraSearchDoc, workSearchDoc } from './search-docs.ts';
import { decodeFacet, rankSearch, SearchIndexBuilder, type SearchDocType } from './search-index.ts';
import { queryTerms, textTerms } from './search-terms.ts';

const ahao = { id: 'liblib:ahao', username: 'liblib-ahao', name: '车迷阿豪', avatarUrl: null };
const xiaolin = { id: 'liblib:xiaolin', username: 'liblib-xiaolin', name: '画师小林', avatarUrl: null };
const plain = { id: 'civitai:p', username: 'civitai-p', name: 'Painter', avatarUrl: null };

let n = 0;
function work(title: string | null, prompt: string, overrides: Partial<SnapshotWork> = {}): SnapshotWork {
  n += 1;
  return sampleWork(n, { title, titleEn: null, prompt, tags: [], author: plain, models: [{ type: 'CHECKPOINT', name: 'SDXL 1.0', url: null, loraId: null }], ...overrides });
}

const W = {
  redCar: work('红色跑车', '一辆红色跑车停在雨夜的城市街道，霓虹灯', { tags: ['汽车'], author: ahao, models: [{ type: 'CHECKPOINT', name: 'majicMIX realistic', url: null, loraId: null }] }),
  futureCar: work('未来汽车', '未来汽车，流线型车身，赛博朋克城市', { tags: ['汽车'], author: ahao }),
  oldCar: work('复古老爷车', '复古老爷车，胶片质感，夕阳下的公路', { tags: ['汽车'] }),
  ink: work('水墨山水', '水墨画风格的山水，云雾缭绕，一叶扁舟', { tags: ['国风'], author: xiaolin }),
  neon: work(null, 'cyberpunk street at night, neon lights, rain', { titleEn: 'Cyberpunk alley', models: [{ type: 'CHECKPOINT', name: 'Juggernaut XL', url: null, loraId: null }] }),
  cat: work('橘猫', '一只橘猫坐在窗台上，午后阳光'),
  girl: work(null, 'masterpiece, best quality, 1girl, white dress, flower field'),
  astronaut: work(null, 'an astronaut riding a horse on mars, cinematic lighting', { titleEn: 'Mars rider' }),
  hanfu: work('汉服少女', '身穿汉服的少女，古风庭院，樱花', { author: xiaolin }),
  mecha: work('机甲', 'giant mecha robot in a ruined city, dramatic sky'),
  dragon: work('青龙', 'chinese dragon flying over mountains, ink style'),
  oldMan: work(null, 'portrait photo of an old man, wrinkles, black and white'),
  snow: work('雪山日出', 'snowy mountain landscape at sunrise', { nsfwLevel: 'Mature' }),
  ramen: work('拉面', '一碗热气腾腾的拉面，日式料理', { source: 'civitai', id: 'civitai-ramen', externalId: 'ramen' }),
  drift: work(null, 'red sports car drifting on a racetrack, motion blur', { titleEn: 'Drift' }),
};
/** A Liblib category's works: tagged 汽车 upstream, but about something else. */
const tagOnly = Array.from({ length: 12 }, (_, i) => work(`少女肖像 ${i}`, '少女肖像，春天，柔光', { tags: ['汽车'] }));
const noImage = work('汽车草图', '汽车草图', { images: [] });

const L = {
  ink: sampleLora(1, { titleCn: '墨韵山水', titleEn: 'Ink-Landscape', triggerWords: ['ink wash'], tagsCn: ['国风'], tagsEn: [] }),
  neon: sampleLora(2, { titleCn: '赛博朋克霓虹', titleEn: 'Cyberpunk-Neon', triggerWords: ['neonpunk'], tagsCn: [], tagsEn: [] }),
  hanfu: sampleLora(3, { titleCn: '汉服写真', titleEn: 'Hanfu-Portrait', triggerWords: [], tagsCn: ['人像'], tagsEn: [] }),
  car: sampleLora(4, { titleCn: '汽车细节增强', titleEn: 'Car-Detailer', triggerWords: ['cardetail'], tagsCn: [], tagsEn: [] }),
};
const authorEntry = (a: typeof ahao, workCount: number): SnapshotAuthorEntry => ({ ...a, source: 'liblib', profileUrl: null, workCount });
const A = { ahao: authorEntry(ahao, 2), xiaolin: authorEntry(xiaolin, 2), plain: { ...authorEntry(plain, 20), source: 'civitai' as const } };

const builder = new SearchIndexBuilder();
const urls: string[] = [];
for (const doc of [...Object.values(A).map(authorSearchDoc), ...Object.values(L).map(loraSearchDoc), ...[...Object.values(W), ...tagOnly, noImage].map(workSearchDoc)]) {
  if (doc) urls[builder.add(doc)] = doc.meta.u;
}
const index = builder.finish();

/** Result URLs of one type, best first. */
function search(query: string, type: SearchDocType = 'work'): string[] {
  return rankSearch(query, (key) => index.shards.get(key))
    .filter((r) => decodeFacet(index.facets[r.doc]!).type === type)
    .map((r) => urls[r.doc]!);
}

const RELEVANCE: Array<[query: string, top: string, type?: SearchDocType]> = [
  ['汽车', workPath(W.futureCar)],
  ['跑车', workPath(W.redCar)],
  ['红色跑车', workPath(W.redCar)],
  ['老爷车', workPath(W.oldCar)],
  ['夕阳', workPath(W.oldCar)],
  ['水墨', workPath(W.ink)],
  ['山水', workPath(W.ink)],
  ['一叶扁舟', workPath(W.ink)],
  ['云雾', workPath(W.ink)],
  ['橘猫', workPath(W.cat)],
  ['猫', workPath(W.cat)],
  ['汉服', workPath(W.hanfu)],
  ['古风', workPath(W.hanfu)],
  ['机甲', workPath(W.mecha)],
  ['青龙', workPath(W.dragon)],
  ['拉面', workPath(W.ramen)],
  ['日式料理', workPath(W.ramen)],
  ['雪山', workPath(W.snow)],
  ['cyberpunk', workPath(W.neon)],
  ['Cyber', workPath(W.neon)],
  ['neon', workPath(W.neon)],
  ['Juggernaut', workPath(W.neon)],
  ['majicmix', workPath(W.redCar)],
  ['1girl', workPath(W.girl)],
  ['white dress', workPath(W.girl)],
  ['astronaut', workPath(W.astronaut)],
  ['astro', workPath(W.astronaut)],
  ['horse mars', workPath(W.astronaut)],
  ['mecha', workPath(W.mecha)],
  ['dragon', workPath(W.dragon)],
  ['old man portrait', workPath(W.oldMan)],
  ['snowy mountain sunrise', workPath(W.snow)],
  ['drift', workPath(W.drift)],
  ['sports car', workPath(W.drift)],
  ['ＣＹＢＥＲＰＵＮＫ', workPath(W.neon)],
  ['画师小林', userPath(xiaolin.username), 'author'],
  ['小林', userPath(xiaolin.username), 'author'],
  ['车迷', userPath(ahao.username), 'author'],
  ['ink wash', loraPath(L.ink.id), 'lora'],
  ['墨韵', loraPath(L.ink.id), 'lora'],
  ['赛博朋克', loraPath(L.neon.id), 'lora'],
  ['Hanfu', loraPath(L.hanfu.id), 'lora'],
  ['汽车', loraPath(L.car.id), 'lora'],
];

describe('search relevance', () => {
  it.each(RELEVANCE)('%s → %s first', (query, top, type) => {
    expect(search(query, type)[0]).toBe(top);
  });

  it('ranks title and prompt matches above tag-only ones (汽车 is a tag on a whole category)', () => {
    const results = search('汽车');
    const tagOnlyUrls = new Set(tagOnly.map(workPath));
    expect(results.slice(0, 1)).toEqual([workPath(W.futureCar)]);
    expect(results.filter((url) => tagOnlyUrls.has(url))).toHaveLength(tagOnly.length);
    // Every work that shows a car comes before the first tag-only one.
    const firstTagOnly = results.findIndex((url) => tagOnlyUrls.has(url));
    expect(results.slice(0, firstTagOnly)).toEqual(expect.arrayContaining([workPath(W.futureCar)]));
    expect(results.slice(firstTagOnly).every((url) => tagOnlyUrls.has(url))).toBe(true);
  });

  it('finds nothing for words no document has, single letters and stop words (no single-letter prefix matches)', () => {
    for (const query of ['xqzt', 'qzxjvw', 'q', 'a b c', 'the', '龘靐', '，。！', '']) {
      expect(rankSearch(query, (key) => index.shards.get(key)), query).toEqual([]);
    }
  });

  it('needs every word: a query half matching is no result', () => {
    expect(search('astronaut dragon')).toEqual([]);
    expect(search('橘猫 机甲')).toEqual([]);
  });

  it('lists no work without an image, and never searches negative prompts', () => {
    expect(search('草图')).toEqual([]);
  });

  it('encodes the filters per document: type, source, sensitive, checkpoint', () => {
    const at = (url: string) => decodeFacet(index.facets[urls.indexOf(url)]!);
    const { sources, models } = index.entry;
    expect(sources[at(workPath(W.ramen)).source]).toBe('civitai');
    expect(at(workPath(W.snow)).sensitive).toBe(true);
    expect(at(workPath(W.cat)).sensitive).toBe(false);
    expect(models[at(workPath(W.neon)).model]).toBe('Juggernaut XL');
    expect(at(loraPath(L.ink.id)).type).toBe('lora');
    expect(at(userPath(ahao.username)).type).toBe('author');
  });
});

describe('search terms', () => {
  it('indexes Han bigrams and Latin words of two letters or more, lowercased', () => {
    expect(textTerms('红色跑车 A Red-Car, 8k 猫')).toEqual(['红色', '色跑', '跑车', '猫', 'red', 'car', '8k']);
  });

  it('queries every bigram, and prefixes for a lone Han character or a Latin word of three letters', () => {
    expect(queryTerms('赛博朋克 cy cyb')).toEqual([
      { term: '赛博', prefix: false },
      { term: '博朋', prefix: false },
      { term: '朋克', prefix: false },
      { term: 'cy', prefix: false },
      { term: 'cyb', prefix: true },
    ]);
    expect(queryTerms('猫')).toEqual([{ term: '猫', prefix: true }]);
  });
});
