import { z } from 'zod';
import { MAX_PAGE } from './pages.ts';

/** `?cursor=…&limit=…` of every list endpoint. */
export const pageQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(20),
});
