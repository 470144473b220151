// Prompt text → the words a word cloud counts: src/core/text/prompt-text.ts segments it (a domain dictionary,
// then ICU), and what says nothing about the picture is dropped: stop words, quality boilerplate
// (masterpiece, best quality, 8k, 杰作) and single-character fragments (级, 感: what is left of 高级感 when a
// segmenter splits it).
import { cleanPrompt, QUALITY_WORDS, segmentWords } from '../text/prompt-text.ts';
import { CHINESE_STOP_WORDS, ENGLISH_STOP_WORDS } from './stop-words.ts';

const LATIN_LETTER = /[a-z]/;

/** Whether a segmented word is worth counting. */
function meaningful(word: string, han: boolean): boolean {
  if ([...word].length < 2) return false;
  if (QUALITY_WORDS.has(word)) return false;
  if (han) return !CHINESE_STOP_WORDS.has(word);
  if (LATIN_LETTER.test(word)) return !ENGLISH_STOP_WORDS.has(word);
  return true; // other scripts (kana, hangul): no stop list
}

/**
 * The distinct meaningful words of a prompt, in first-seen order: Chinese words and lowercase English
 * tokens of two or more characters, without stop words, quality boilerplate, numbers or punctuation.
 */
export function extractPromptWords(prompt: string): string[] {
  const words = new Set<string>();
  for (const { word, han } of segmentWords(cleanPrompt(prompt))) if (meaningful(word, han)) words.add(word);
  return [...words];
}
