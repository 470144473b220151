// On-demand pages fail like API routes do: a database or blob store that is unavailable answers 503 with
// Retry-After (a short Chinese page), never Astro's 500. The Astro middleware (src/middleware.ts) calls
// this for whatever a page's frontmatter throws; statuses stay chosen here, in src/server/http/.
import { apiErrorFrom } from './api-error.ts';

const PAGE = (title: string, text: string) =>
  `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${title} · 画库 Huaku</title></head><body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem"><h1>${title}</h1><p>${text}</p><p><a href="/">返回首页</a></p></body></html>`;

/** The response for an error thrown while rendering a page, or null to let it fail as a bug (500). */
export function pageErrorResponse(error: unknown): Response | null {
  const answer = apiErrorFrom(error);
  if (!answer) return null;
  const headers = { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...answer.headers };
  if (answer.status === 503) return new Response(PAGE('服务暂时不可用', '服务暂时不可用，请稍后再试。'), { status: 503, headers });
  if (answer.status === 404) return new Response(PAGE('页面不存在', '这个页面不存在。'), { status: 404, headers });
  if (answer.status >= 400 && answer.status < 500) return new Response(PAGE('无效的请求', '请求的地址无效。'), { status: 400, headers });
  return null;
}
