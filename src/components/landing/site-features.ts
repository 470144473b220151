// What Huaku offers, in one list: the landing page shows it as a summary, /features in full.

export interface SiteFeature {
  title: string;
  summary: string;
  /** Longer copy for /features. */
  details: string[];
  href: string;
  linkLabel: string;
}

export const SITE_FEATURES: readonly SiteFeature[] = [
  {
    title: '每日更新的作品流',
    summary: '每天收录 Liblib、Civitai、ModelScope 与社区投稿的 AI 绘画作品，按最新或最热浏览。',
    details: [
      '采集程序每天按各平台的礼貌频率增量抓取新作品，图片统一存储并生成 WebP 缩略图。',
      '作品流支持「最新」与「最热」（点赞 + 收藏）两种排序，分页浏览，图片按原始比例排版，不跳动。',
    ],
    href: '/feed',
    linkLabel: '浏览作品流',
  },
  {
    title: '提示词与生成参数',
    summary: '每件作品都附有正向与反向提示词、采样器、步数、CFG、尺寸与种子，一键复制。',
    details: [
      '作品页列出完整的提示词与反向提示词，点击「复制」即可粘贴到自己的生成工具中。',
      '参数表包含采样器、步数、CFG、尺寸与种子；用到的基础模型与 LoRA 链接到各自的页面。',
    ],
    href: '/feed/hot',
    linkLabel: '看看热门作品',
  },
  {
    title: 'Top LoRA 模型榜',
    summary: '汇总 ModelScope 热门 LoRA：按任务、基础模型与标签筛选，对比建议参数，导出 JSON。',
    details: [
      'LoRA 榜单按下载量排序，可搜索、筛选并勾选多个模型并排对比。',
      '每个 LoRA 都有建议的权重与生成参数（来自使用它的作品或基础模型的常用设置），可编辑并导出为 JSON。',
    ],
    href: '/loras',
    linkLabel: '查看 LoRA 榜',
  },
  {
    title: '数据分析',
    summary: '每日作品数、各平台分布、热门作者、模型引用排行与提示词词云。',
    details: ['所有图表在构建时由快照数据计算，中文提示词经过分词并去除停用词后生成词云。'],
    href: '/analytics',
    linkLabel: '查看数据',
  },
  {
    title: '中文搜索',
    summary: '按标题、中英文提示词、作者与模型搜索全部作品，中文查询也能准确命中。',
    details: ['每个页面顶部都有搜索框，静态站点上也能即时检索全部作品。'],
    href: '/search',
    linkLabel: '开始搜索',
  },
  {
    title: '社区互动',
    summary: '登录后可以点赞、收藏作品，上传并发布自己的作品。',
    details: [
      '支持用户名密码与 Google 账号登录；点赞与收藏实时同步，在「我的作品」中查看收藏。',
      '上传的作品先保存为草稿，发布后立即出现在作品流与你的个人主页中。',
      '可能包含敏感内容的作品默认模糊显示，可在页面上开启「显示敏感内容」，设置只保存在你的浏览器中。',
    ],
    href: '/login',
    linkLabel: '登录画库',
  },
];
