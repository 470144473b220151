import { describe, expect, it } from 'vitest';
import { captionFromPrompt, segmentWords } from './prompt-text.ts';

describe('segmentWords', () => {
  it('matches dictionary terms first, then ICU, joining unknown single characters', () => {
    expect(segmentWords('赛博朋克城市的高级感 Neon').map((s) => s.word)).toEqual(['赛博朋克', '城市', '的', '高级感', 'neon']);
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
