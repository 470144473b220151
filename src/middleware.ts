// Astro middleware for on-demand pages and routes: errors a page's frontmatter throws that are refusals
// (a database that is down → 503 with Retry-After) become their answer instead of Astro's 500 page.
import { defineMiddleware } from 'astro:middleware';
import { pageErrorResponse } from './server/http/page-errors.ts';

export const onRequest = defineMiddleware(async (context, next) => {
  if (context.isPrerendered) return next();
  try {
    return await next();
  } catch (error) {
    const answer = pageErrorResponse(error);
    if (answer) return answer;
    throw error;
  }
});
