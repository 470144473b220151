import { describe, expect, it } from 'vitest';
import { captionFromPrompt, segmentWords } from './prompt-text.ts';

describe('segmentWords', () => {
  it('matches dictionary terms first, then ICU, joining unknown single characters', () => {
    expect(segmentWords('赛博朋克城市的高级感 Neon').map((s) => s.word)).toEqual(['赛博朋克', '城市', '的', '高级感', 'neon']);
  });
});

describe('segmentWords cache', () => {
  it('cuts at commas and line breaks only where ICU would break anyway, and answers the same from its cache', () => {
    const text = 'v1,2 and 1,000 cats,dogs，东方明珠,外滩\n猫';
    const expected = [
      { word: 'v1,2', han: false }, { word: 'and', han: false }, { word: 'cats', han: false }, { word: 'dogs', han: false },
      { word: '东方', han: true }, { word: '明珠', han: true }, { word: '外滩', han: true }, { word: '猫', han: true },
    ];
    expect(segmentWords(text)).toEqual(expected);
    expect(segmentWords(text)).toEqual(expected);
  });
});

describe('captionFromPrompt', () => {
  it('skips quality boilerplate and keeps the first phrases that fit', () => {
    expect(captionFromPrompt('(masterpiece:1.2), best quality, 8k, 1girl, red dress, city street at night, rain')).toBe('1girl, red dress');
    expect(captionFromPrompt('杰作，最佳质量，一只橘猫坐在窗台上，午后阳光，胶片感')).toBe('一只橘猫坐在窗台上，午后阳光');
  });

  it('cuts a long first phrase with an ellipsis', () => {
    expect(captionFromPrompt('一位穿着红色汉服的少女站在开满樱花的古老庭院中央回眸微笑')).toBe('一位穿着红色汉服的少女站在…');
  });

  it('gives null when nothing but boilerplate or syntax is left', () => {
    expect(captionFromPrompt('masterpiece, best quality, <lora:x:0.8>, 8k')).toBeNull();
    expect(captionFromPrompt('')).toBeNull();
    expect(captionFromPrompt(null)).toBeNull();
  });
});
