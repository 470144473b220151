// Like and favorite buttons of one artwork, for the on-demand pages that already hydrate React. Optimistic:
// the count and highlight change at once, the request follows, and an error puts the previous state back and
// says why in a toast (toggleReaction, shared with the prerendered page's React-free reaction bar).
// Anonymous visitors are sent to the login page.
import { useRef, useState } from 'react';
import { REACTION_LOOKS, toggleReaction, type ReactionCounts, type ReactionKind } from './reaction-state.ts';

interface Props {
  artworkId: number;
  likeCount: number;
  favoriteCount: number;
  liked: boolean;
  favorited: boolean;
  signedIn: boolean;
  /**
   * Set when reacting is impossible (no community server, unknown work): the buttons are disabled, the
   * reason is shown beside them, and the counts are hidden because they are not known.
   */
  disabledReason?: string;
}

export default function ReactionButtons(props: Props) {
  const [state, setState] = useState<ReactionCounts>({
    liked: props.liked,
    favorited: props.favorited,
    likeCount: props.likeCount,
    favoriteCount: props.favoriteCount,
  });
  const pending = useRef<Record<ReactionKind, boolean>>({ like: false, favorite: false });

  const toggle = (kind: ReactionKind) =>
    toggleReaction(kind, { artworkId: props.artworkId, signedIn: props.signedIn, current: state, update: setState, pending: pending.current });

  const disabled = props.disabledReason !== undefined;
  const noteId = `reactions-note-${props.artworkId}`;
  return (
    <div className="reactions">
      <ReactionButton kind="like" active={state.liked} count={disabled ? null : state.likeCount} disabledBy={disabled ? noteId : null} onClick={() => toggle('like')} />
      <ReactionButton kind="favorite" active={state.favorited} count={disabled ? null : state.favoriteCount} disabledBy={disabled ? noteId : null} onClick={() => toggle('favorite')} />
      {disabled && (
        <p className="reactions__note" id={noteId}>
          {props.disabledReason}
        </p>
      )}
    </div>
  );
}

interface ReactionButtonProps {
  kind: ReactionKind;
  active: boolean;
  /** null: unknown, not shown. */
  count: number | null;
  /** The id of the element saying why the button is disabled; null when it is enabled. */
  disabledBy: string | null;
  onClick: () => void;
}

function ReactionButton({ kind, active, count, disabledBy, onClick }: ReactionButtonProps) {
  const [icon, label] = REACTION_LOOKS[kind][active ? 'on' : 'off'];
  return (
    <button
      type="button"
      className={`button reaction reaction--${kind}${active ? ' is-active' : ''}`}
      aria-pressed={active}
      disabled={disabledBy !== null}
      aria-describedby={disabledBy ?? undefined}
      onClick={onClick}
    >
      <span aria-hidden="true">{icon}</span> {label}
      {count !== null && (
        <span className="reaction__count" data-testid={`${kind}-count`}>
          {count}
        </span>
      )}
    </button>
  );
}
