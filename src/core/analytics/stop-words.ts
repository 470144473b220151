// Words too common to say anything about a prompt. The word cloud drops them so that subjects and styles
// (汽车, 夜景, cyberpunk) stand out instead of particles, pronouns and articles.

/** Chinese function words, pronouns, measure words and numerals (Intl.Segmenter yields them as words). */
export const CHINESE_STOP_WORDS: ReadonlySet<string> = new Set([
  '的', '了', '和', '与', '及', '或', '在', '是', '有', '也', '很', '都', '就', '而', '把', '被', '让', '给', '对',
  '从', '向', '着', '过', '之', '其', '中', '上', '下', '里', '内', '外', '等', '各', '每', '更', '最', '不', '没',
  '没有', '无', '并', '且', '以及', '还有', '以', '为', '于', '由', '将', '带', '带有', '具有', '使', '其他', '其中',
  '我', '你', '他', '她', '它', '我们', '你们', '他们', '她们', '它们', '们', '这', '那', '这个', '那个', '这些',
  '那些', '这种', '那种', '啊', '吧', '呢', '吗', '哦', '呀', '得', '地', '来', '去', '可以', '要', '会', '能',
  '非常', '比较', '十分', '特别', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '两', '个', '一个',
  '一些', '一张', '一位', '一辆', '一只', '一幅', '一种', '些', '张', '只', '位', '辆', '件', '幅', '种', '条',
  '样', '如', '如此', '所', '所有', '然后', '同时', '正在', '已经', '还', '又', '再', '才',
]);

/** English articles, pronouns, prepositions and prompt syntax words (BREAK, AND). */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'and', 'or', 'but', 'nor', 'of', 'in', 'on', 'at', 'to', 'with', 'without', 'for', 'from',
  'by', 'as', 'into', 'onto', 'over', 'under', 'above', 'below', 'between', 'through', 'is', 'are', 'was', 'were',
  'be', 'been', 'being', 'am', 'it', 'its', 'it\'s', 'this', 'that', 'these', 'those', 'there', 'here', 'very',
  'some', 'any', 'no', 'not', 'so', 'too', 'also', 'just', 'than', 'then', 'such', 'has', 'have', 'had', 'do',
  'does', 'did', 'he', 'she', 'they', 'we', 'you', 'his', 'her', 'their', 'our', 'your', 'my', 'me', 'him', 'them',
  'us', 'i', 'who', 'which', 'what', 'where', 'when', 'while', 'how', 'all', 'each', 'every', 'both', 'more',
  'most', 'other', 'can', 'will', 'would', 'should', 'could', 'may', 'might', 'up', 'down', 'out', 'off', 'about',
  'against', 'during', 'before', 'after', 'again', 'only', 'own', 'same', 'if', 'because', 'until', 'break',
]);
