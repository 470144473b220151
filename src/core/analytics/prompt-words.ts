// Prompt text → the words a word cloud counts. Chinese has no spaces, so Intl.Segmenter (ICU's dictionary
// segmentation) splits it into words; English is split on word boundaries and lowercased. Prompt syntax is
// removed first: `<lora:name:0.8>` tags, `(word:1.2)` weights and `_` in Danbooru-style tags.
import { CHINESE_STOP_WORDS, ENGLISH_STOP_WORDS } from './stop-words.ts';

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

const MODEL_TAG = /<[^<>]*>/g;
const WEIGHT = /:\s*[-+]?(?:\d+\.?\d*|\.\d+)/g;
const NUMBER = /^[\p{N}.,:x×+-]+$/u;
const HAN = /\p{Script=Han}/u;
const LATIN_LETTER = /[a-z]/;

/**
 * The distinct meaningful words of a prompt, in first-seen order: Chinese words (stop words removed),
 * lowercase English tokens of two or more characters (stop words removed), no numbers or punctuation.
 */
export function extractPromptWords(prompt: string): string[] {
  const cleaned = prompt.replace(MODEL_TAG, ' ').replace(WEIGHT, ' ').replace(/_/g, ' ');
  const words = new Set<string>();
  // ICU splits words missing from its dictionary (赛博朋克, brand names) into single characters; a run of
  // adjacent single Han characters is joined back into one word.
  let singles = '';
  const flushSingles = () => {
    if (singles.length > 0 && !CHINESE_STOP_WORDS.has(singles)) words.add(singles);
    singles = '';
  };
  for (const { segment, isWordLike } of segmenter.segment(cleaned)) {
    if (!isWordLike || NUMBER.test(segment)) {
      flushSingles();
      continue;
    }
    if (HAN.test(segment)) {
      if (segment.length === 1 && !CHINESE_STOP_WORDS.has(segment)) {
        singles += segment;
        continue;
      }
      flushSingles();
      if (!CHINESE_STOP_WORDS.has(segment)) words.add(segment);
      continue;
    }
    flushSingles();
    const token = segment.toLowerCase();
    if (LATIN_LETTER.test(token)) {
      if (token.length >= 2 && !ENGLISH_STOP_WORDS.has(token)) words.add(token);
    } else if (token.length >= 2) {
      words.add(token); // other scripts (kana, hangul): no stop list, but single characters say little
    }
  }
  flushSingles();
  return [...words];
}
