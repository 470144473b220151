// Prompt text as people read it: the words of a prompt (Chinese segmented with a domain dictionary before
// ICU, English lowercased), the boilerplate that says nothing about the picture (masterpiece, best quality,
// 8k, 杰作, 最佳质量), and a short caption for works without a title. One module so the word cloud, the
// search index and the cards agree on what a word is.

/** Prompt syntax: `<lora:name:0.8>` tags, `:1.2` weights. */
const MODEL_TAG = /<[^<>]*>/g;
const WEIGHT = /:\s*[-+]?(?:\d+\.?\d*|\.\d+)/g;
const HAN = /\p{Script=Han}/u;

/**
 * Terms of AI painting that ICU's dictionary splits into single characters or wrong pairs (赛博朋克 → 赛 博 朋 克,
 * 高级感 → 高级 + 感). Matched longest first before ICU segments the rest.
 */
const DOMAIN_DICTIONARY: readonly string[] = [
  '赛博朋克', '蒸汽朋克', '二次元', '三次元', '国风', '古风', '汉服', '旗袍', '水墨', '水墨画', '水彩', '油画', '工笔',
  '插画', '立绘', '厚涂', '平涂', '线稿', '赛璐璐', '像素风', '低多边形', '写实', '超写实', '半写实', '摄影', '人像摄影',
  '电影感', '高级感', '氛围感', '胶片感', '科技感', '未来感', '空气感', '故事感', '质感', '光影', '逆光', '侧光',
  '丁达尔', '景深', '虚化', '特写', '半身', '全身', '大特写', '广角', '鱼眼', '俯视', '仰视', '机甲', '高达', '美少女',
  '少女', '萝莉', '御姐', '猫娘', '兽耳', '精灵', '魔法少女', '女武神', '仙侠', '武侠', '修仙', '敦煌', '飞天',
  '夜景', '霓虹', '霓虹灯', '雪景', '星空', '银河', '落日', '日落', '晚霞', '樱花', '荷花', '山水',
  '风景', '建筑', '室内设计', '产品设计', '海报', '电商', '头像', '壁纸', '表情包', '盲盒', '手办', '黏土', '3D渲染',
  'C4D', '虚幻引擎', '辛烷渲染', '汽车', '跑车', '机车', '摩托车', '宇航员', '太空', '末日', '废土', '克苏鲁',
  '杰作', '最佳质量', '高质量', '超高清', '高清', '高细节', '超精细', '精细', '细节丰富', '大师作品',
];

/** Quality and resolution boilerplate (lowercase English words, Chinese terms): true of every prompt, says nothing. */
export const QUALITY_WORDS: ReadonlySet<string> = new Set([
  'masterpiece', 'masterpieces', 'best', 'quality', 'high', 'highest', 'highres', 'hires', 'absurdres', 'ultra',
  'ultra-detailed', 'detailed', 'detail', 'details', 'extremely', 'intricate', 'sharp', 'focus', 'resolution',
  'hd', 'hdr', 'uhd', 'fhd', '4k', '8k', '16k', '32k', '64k', 'raw', 'official',
  'unity', 'cg', 'amazing', 'beautiful', 'perfect', 'professional', 'award', 'winning', 'trending', 'artstation',
  'newest', 'score', 'great', 'good', 'excellent', 'insane',
  'lowres', 'worst', 'normal', 'low', 'bad', 'jpeg', 'artifacts',
  '杰作', '最佳', '最佳质量', '质量', '高质量', '最高质量', '最高', '画质', '高画质', '超高画质', '高清', '超高清', '超清',
  '高分辨率', '分辨率', '细节', '高细节', '细节丰富', '精细', '超精细', '精致', '极致', '超级', '大师作品', '大师',
  '杰出', '完美', '清晰', '8k画质', '4k画质',
]);

const dictionaryPattern = new RegExp(
  [...DOMAIN_DICTIONARY].sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
  'giu',
);
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

export interface PromptSegment {
  /** Lowercase for Latin script. */
  word: string;
  /** Contains a Han character. */
  han: boolean;
}

/** Prompt syntax removed: model tags, weights, Danbooru underscores (brackets go with the segmentation). */
export function cleanPrompt(text: string): string {
  return text.replace(MODEL_TAG, ' ').replace(WEIGHT, ' ').replace(/_/g, ' ');
}

/**
 * The word-like segments of a text, in order: dictionary terms first, ICU's dictionary for the rest; a run
 * of single Han characters ICU did not know is joined back into one word (names, brands). Numbers and
 * punctuation are dropped; Latin is lowercased.
 */
export function segmentWords(text: string): PromptSegment[] {
  const out: PromptSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(dictionaryPattern)) {
    segmentIcu(text.slice(last, match.index), out);
    out.push({ word: match[0].toLowerCase(), han: HAN.test(match[0]) });
    last = match.index + match[0].length;
  }
  segmentIcu(text.slice(last), out);
  return out;
}

const NUMBER = /^[\p{N}.,:x×+-]+$/u;

/**
 * Where a text can be cut without changing its word segments: at commas and line breaks, which always end
 * an ICU word (and so a run of single characters) unless a comma sits between two digits (1,000; v1,2).
 */
const PIECE_BREAK = /\n|(?<!\p{Nd})[,，]|[,，](?!\p{Nd})/u;
/**
 * Segments of pieces already seen: prompts repeat their phrases (masterpiece, best quality, a style, a
 * subject) across thousands of works, and ICU is most of the cost of segmenting one (the build's word cloud
 * segments every prompt). Bounded: cleared when full.
 */
const pieceCache = new Map<string, readonly PromptSegment[]>();
const PIECE_CACHE_LIMIT = 50_000;

function segmentIcu(text: string, out: PromptSegment[]): void {
  if (!text) return;
  for (const piece of text.split(PIECE_BREAK)) {
    if (!piece) continue;
    let segments = pieceCache.get(piece);
    if (!segments) {
      const fresh: PromptSegment[] = [];
      segmentPiece(piece, fresh);
      if (pieceCache.size >= PIECE_CACHE_LIMIT) pieceCache.clear();
      pieceCache.set(piece, (segments = fresh));
    }
    for (const segment of segments) out.push({ ...segment });
  }
}

function segmentPiece(text: string, out: PromptSegment[]): void {
  let singles = '';
  const flush = () => {
    if (singles) out.push({ word: singles, han: true });
    singles = '';
  };
  for (const { segment, isWordLike } of segmenter.segment(text)) {
    if (!isWordLike || NUMBER.test(segment)) {
      flush();
      continue;
    }
    if (HAN.test(segment) && segment.length === 1) {
      singles += segment;
      continue;
    }
    flush();
    out.push({ word: segment.toLowerCase(), han: HAN.test(segment) });
  }
  flush();
}

/** A prompt's phrases (split at commas, full stops, line breaks), syntax removed, trimmed. */
function phrases(prompt: string): string[] {
  return cleanPrompt(prompt)
    .split(/[,，。;；、\n|]+/u)
    .map((p) => p.replace(/[()[\]{}]/g, '').replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

/** A phrase made only of quality boilerplate (and numbers): `best quality`, `8k`, `(masterpiece:1.2)`, `杰作`. */
function isBoilerplate(phrase: string): boolean {
  const words = segmentWords(phrase);
  return words.every((w) => QUALITY_WORDS.has(w.word) || w.word.length === 1);
}

/** Weights as display length: a Han character about two Latin ones. */
function displayLength(text: string): number {
  let n = 0;
  for (const ch of text) n += HAN.test(ch) || ch.codePointAt(0)! > 0x2e80 ? 2 : 1;
  return n;
}

/**
 * A caption for a work without a title: the first phrases of its prompt that are not boilerplate, up to
 * `max` display columns (a Han character counts two), cut with … inside a phrase. Null when nothing is left.
 */
export function captionFromPrompt(prompt: string | null | undefined, max = 28): string | null {
  if (!prompt) return null;
  const kept = phrases(prompt).filter((p) => !isBoilerplate(p));
  if (kept.length === 0) return null;
  const separator = HAN.test(kept[0]!) ? '，' : ', ';
  let caption = '';
  for (const phrase of kept) {
    const next = caption ? caption + separator + phrase : phrase;
    if (displayLength(next) <= max) {
      caption = next;
      continue;
    }
    if (caption) break;
    // The first phrase alone is too long: cut it.
    let cut = '';
    for (const ch of phrase) {
      if (displayLength(cut + ch) > max - 1) break;
      cut += ch;
    }
    return `${cut.trimEnd()}…`;
  }
  return caption;
}
