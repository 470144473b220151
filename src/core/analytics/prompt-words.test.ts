import { describe, expect, it } from 'vitest';
import { extractPromptWords } from './prompt-words.ts';

describe('extractPromptWords', () => {
  it('segments a Chinese prompt into words and drops stop words, punctuation and quality boilerplate', () => {
    expect(extractPromptWords('一辆红色的跑车停在城市夜景中，超高清')).toEqual(['红色', '跑车', '停在', '城市', '夜景']);
  });

  it('keeps domain terms whole (the dictionary) and joins unknown single characters into one word', () => {
    expect(extractPromptWords('赛博朋克风格的汽车')).toEqual(['赛博朋克', '风格', '汽车']);
    expect(extractPromptWords('高级感，电影感，光影')).toEqual(['高级感', '电影感', '光影']);
  });

  it('drops quality boilerplate and single-character fragments', () => {
    expect(extractPromptWords('masterpiece, best quality, ultra detailed, 8k, 杰作, 最佳质量, 高清, 猫, red car')).toEqual(['red', 'car']);
  });

  it('lowercases English tokens and drops stop words, numbers and one-letter tokens', () => {
    expect(extractPromptWords('Masterpiece, A red car on THE road, 8k, 1024 x 768, 2.5, b')).toEqual(['red', 'car', 'road']);
  });

  it('strips LoRA tags, weights, brackets and Danbooru underscores', () => {
    expect(extractPromptWords('<lora:neon_city_v2:0.8> (red car:1.2), [[blurry]], {detailed}, best_quality, <lyco:x:1>')).toEqual(['red', 'car', 'blurry']);
  });

  it('counts each word once per prompt, mixing Chinese and English', () => {
    expect(extractPromptWords('汽车, 汽车, car car 汽车')).toEqual(['汽车', 'car']);
  });

  it('gives nothing for an empty or punctuation-only prompt', () => {
    expect(extractPromptWords('')).toEqual([]);
    expect(extractPromptWords('，。,.()<>: 1.2 ')).toEqual([]);
  });
});
