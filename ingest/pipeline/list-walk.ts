// The `list` stage every source shares: a paged upstream list walked as ledger units, one unit per page.
// A unit's payload carries where to ask next (a page number or a cursor, passed back unchanged) and the
// walk's running counts, so a walk that crashed resumes at the page it was on. Each walk has its own id
// (the run that started it): a finished walk is not repeated by the same keys.
//
// A walk stops when the upstream has no next page (or hands back the position it was given, which would
// loop forever), after `maxEmptyPages` empty pages in a row, once `limit` items are taken, after
// `maxPages` pages, or, with `knownWindow`, after that many consecutive items the store already has.
import { z } from 'zod';
import type { Store } from '../../src/core/store/store.ts';
import type { FollowUpUnit, StageDefinition, UnitContext } from './stage-runner.ts';

interface ListPage<Item, Position> {
  /** Everything the page listed (its length decides whether the page counts as empty). */
  items: Item[];
  /** Where to ask next; null when the upstream says there is no more. */
  next: Position | null;
}

export interface ListWalkSpec<Item, Position> {
  /** List units of one kind of walk share this key prefix (see unfinishedWalk). */
  prefix: string;
  concurrency: number;
  /** The schema of a position, as stored in the unit's payload. */
  position: z.ZodType<Position>;
  fetch(position: Position): Promise<ListPage<Item, Position>>;
  /** The items worth taking from a page (default: all). */
  select?(items: Item[]): Item[];
  /** Which of these items the store already has; they are skipped and make up the known streak. */
  known?(tx: Store, items: Item[]): Promise<(item: Item) => boolean>;
  /** Stop after this many consecutive known items (incremental walks); null walks on. */
  knownWindow: number | null;
  /** Most items taken by one walk; null = no limit. */
  limit: number | null;
  /** Most pages of one walk; null = until the upstream or another stop says so. */
  maxPages: number | null;
  /** Consecutive empty pages after which the list is considered exhausted anyway. */
  maxEmptyPages: number;
  /** Write the taken items and enqueue their follow-up units, inside the page's commit. */
  take(tx: Store, items: Item[], context: UnitContext): Promise<void>;
}

const walkState = z.object({
  /** Which walk over the list this page belongs to (the id of the run that started it). */
  walk: z.number().int().positive(),
  /** The page's place in its walk, from 1. */
  seq: z.number().int().positive(),
  position: z.unknown(),
  collected: z.number().int().nonnegative(),
  knownStreak: z.number().int().nonnegative(),
  emptyStreak: z.number().int().nonnegative(),
});
type WalkState = z.infer<typeof walkState>;

function listUnit(prefix: string, state: WalkState): FollowUpUnit {
  return { stage: 'list', key: `${prefix}w${state.walk}:p${state.seq}`, payload: state };
}

/**
 * The first list unit of a new walk. A walk interrupted by a crash is resumed instead (its next page is
 * still pending in the ledger).
 */
export function firstListUnit<Position>(prefix: string, start: Position, walk: number) {
  return listUnit(prefix, { walk, seq: 1, position: start, collected: 0, knownStreak: 0, emptyStreak: 0 });
}

export function listStage<Item, Position>(spec: ListWalkSpec<Item, Position>): StageDefinition {
  return {
    name: 'list',
    concurrency: spec.concurrency,
    dependsOn: [],
    async handle(unit, context) {
      const state = walkState.parse(unit.payload);
      const position = spec.position.parse(state.position);
      const page = await spec.fetch(position);
      context.count('pagesFetched');
      return async (tx) => {
        const candidates = spec.select ? spec.select(page.items) : page.items;
        const isKnown = spec.known ? await spec.known(tx, candidates) : () => false;
        let knownStreak = state.knownStreak;
        let windowReached = false;
        const fresh: Item[] = [];
        for (const item of candidates) {
          if (isKnown(item)) {
            knownStreak++;
            if (spec.knownWindow !== null && knownStreak >= spec.knownWindow) {
              windowReached = true;
              break;
            }
          } else {
            knownStreak = 0;
            fresh.push(item);
          }
        }
        const room = spec.limit === null ? fresh.length : Math.max(0, spec.limit - state.collected);
        const taken = fresh.slice(0, room);
        await spec.take(tx, taken, context);
        const collected = state.collected + taken.length;
        const emptyStreak = page.items.length === 0 ? state.emptyStreak + 1 : 0;
        const more =
          page.next !== null &&
          JSON.stringify(page.next) !== JSON.stringify(position) &&
          !windowReached &&
          emptyStreak < spec.maxEmptyPages &&
          (spec.limit === null || collected < spec.limit) &&
          (spec.maxPages === null || state.seq < spec.maxPages);
        if (more) {
          const next: WalkState = { walk: state.walk, seq: state.seq + 1, position: page.next, collected, knownStreak, emptyStreak };
          await context.enqueue(tx, [listUnit(spec.prefix, next)]);
        }
      };
    },
  };
}
