import { describe, expect, it } from 'vitest';
import { extractPromptWords } from './prompt-words.ts';

describe('extractPromptWords', () => {
  it('segments a Chinese prompt into words and drops stop words and punctuation', () => {
    expect(extractPromptWords('一辆红色的跑车停在城市夜景中，超高清')).toEqual(['红色', '跑车', '停在', '城市', '夜景', '超', '高清']);
  });

  it('joins a run of single characters that the dictionary does not know back into one word', () => {
    expect(extractPromptWords('赛博朋克风格的汽车')).toEqual(['赛博朋克', '风格', '汽车']);
  });

  it('lowercases English tokens and drops stop words, numbers and one-letter tokens', () => {
    expect(extractPromptWords('Masterpiece, A red car on THE road, 8k, 1024 x 768, 2.5, b')).toEqual(['masterpiece', 'red', 'car', 'road', '8k']);
  });

  it('strips LoRA tags, weights, brackets and Danbooru underscores', () => {
    expect(extractPromptWords('<lora:neon_city_v2:0.8> (red car:1.2), [[blurry]], {detailed}, best_quality, <lyco:x:1>')).toEqual([
      'red', 'car', 'blurry', 'detailed', 'best', 'quality',
    ]);
  });

  it('counts each word once per prompt, mixing Chinese and English', () => {
    expect(extractPromptWords('汽车, 汽车, car car 汽车')).toEqual(['汽车', 'car']);
  });

  it('gives nothing for an empty or punctuation-only prompt', () => {
    expect(extractPromptWords('')).toEqual([]);
    expect(extractPromptWords('，。,.()<>: 1.2 ')).toEqual([]);
  });
});
