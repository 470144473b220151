// GET /api/artworks/:id: one artwork with its author, counts and the caller's liked/favorited state.
// Published works are public; a draft is visible to its owner only (404 for everyone else).
// PATCH (owner): edit title, the cover's recipe, tags and NSFW rating (the same JSON fields as upload's
// `meta`). DELETE (owner): the work goes at once; its files after the grace period (a blobs.delete job).
import type { APIRoute } from 'astro';
import { z } from 'zod';
import { deleteArtwork, updateArtwork } from '../../../server/community/actions.ts';
import { artworkPath, toArtworkItems, visibleWork } from '../../../server/community/artworks.ts';
import { apiRoute, idParams, readJson } from '../../../server/http/route.ts';

export const prerender = false;

export const GET: APIRoute = apiRoute({
  access: 'public',
  params: idParams,
  async handler({ params, services, viewer }) {
    const work = await visibleWork(services, params.id, viewer);
    const [artwork] = await toArtworkItems(services, [work], viewer);
    return artwork!;
  },
});

export const PATCH: APIRoute = apiRoute({
  access: 'user',
  params: idParams,
  rateLimit: 'write',
  async handler({ params, request, services, viewer }) {
    const work = await updateArtwork(services, viewer, params.id, await readJson(request, z.unknown()));
    const [artwork] = await toArtworkItems(services, [work], viewer);
    return { artwork_id: work.id, status: work.status, page_url: artworkPath(work), artwork };
  },
});

export const DELETE: APIRoute = apiRoute({
  access: 'user',
  params: idParams,
  rateLimit: 'write',
  async handler({ params, services, viewer }) {
    const { files, removeAfter } = await deleteArtwork(services, viewer, params.id);
    return { artwork_id: params.id, deleted: true, files, files_removed_after: removeAfter.toISOString() };
  },
});
