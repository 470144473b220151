// POST (add) and DELETE (remove) of a like or favorite: one definition for both route files.
import { setReaction, type ReactionKind } from '../community/actions.ts';
import { apiRoute, idParams } from './route.ts';

export function reactionRoutes(kind: ReactionKind) {
  const route = (on: boolean) =>
    apiRoute({
      access: 'user',
      params: idParams,
      rateLimit: 'write',
      async handler({ params, services, viewer }) {
        const { work, counts, active } = await setReaction(services, viewer, params.id, kind, on);
        return kind === 'like'
          ? { artwork_id: work.id, like_count: counts.likes, isLiked: active, is_liked: active }
          : { artwork_id: work.id, is_favorite: active, favorite_count: counts.favorites };
      },
    });
  return { POST: route(true), DELETE: route(false) };
}
