// Like and favorite buttons of one artwork. Optimistic: the count and highlight change at once, the request
// follows, and an error puts the previous state back and says why in a toast. Anonymous visitors are sent
// to the login page.
import { useRef, useState } from 'react';
import { ApiCallError, callApi, goToLogin } from './api.ts';
import { toast } from './toast.ts';

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

interface State {
  liked: boolean;
  favorited: boolean;
  likeCount: number;
  favoriteCount: number;
}

export default function ReactionButtons(props: Props) {
  const [state, setState] = useState<State>({
    liked: props.liked,
    favorited: props.favorited,
    likeCount: props.likeCount,
    favoriteCount: props.favoriteCount,
  });
  const pending = useRef({ like: false, favorite: false });

  async function toggle(kind: 'like' | 'favorite') {
    if (!props.signedIn) {
      toast('登录后才能点赞和收藏', 'info');
      goToLogin();
      return;
    }
    if (pending.current[kind]) return;
    pending.current[kind] = true;
    const previous = state;
    const on = kind === 'like' ? !state.liked : !state.favorited;
    setState((s) =>
      kind === 'like'
        ? { ...s, liked: on, likeCount: Math.max(0, s.likeCount + (on ? 1 : -1)) }
        : { ...s, favorited: on, favoriteCount: Math.max(0, s.favoriteCount + (on ? 1 : -1)) },
    );
    try {
      const method = on ? 'POST' : 'DELETE';
      if (kind === 'like') {
        const result = await callApi<{ like_count: number; isLiked: boolean }>(`/api/artworks/${props.artworkId}/like`, { method, json: {} });
        setState((s) => ({ ...s, liked: result.isLiked, likeCount: result.like_count }));
      } else {
        const result = await callApi<{ is_favorite: boolean; favorite_count: number }>(`/api/artworks/${props.artworkId}/favorite`, { method, json: {} });
        setState((s) => ({ ...s, favorited: result.is_favorite, favoriteCount: result.favorite_count }));
        toast(result.is_favorite ? '已收藏' : '已取消收藏', 'success', 1800);
      }
    } catch (error) {
      setState(previous);
      const message = error instanceof ApiCallError ? error.message : '操作失败，请重试';
      toast(`${kind === 'like' ? '点赞' : '收藏'}失败：${message}`, 'error');
      if (error instanceof ApiCallError && error.status === 401) goToLogin();
    } finally {
      pending.current[kind] = false;
    }
  }

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

const LOOKS = {
  like: { on: ['♥', '已赞'], off: ['♡', '点赞'] },
  favorite: { on: ['★', '已收藏'], off: ['☆', '收藏'] },
} as const;

interface ReactionButtonProps {
  kind: 'like' | 'favorite';
  active: boolean;
  /** null: unknown, not shown. */
  count: number | null;
  /** The id of the element saying why the button is disabled; null when it is enabled. */
  disabledBy: string | null;
  onClick: () => void;
}

function ReactionButton({ kind, active, count, disabledBy, onClick }: ReactionButtonProps) {
  const [icon, label] = LOOKS[kind][active ? 'on' : 'off'];
  return (
    <button
      type="button"
      className={`reaction reaction--${kind}${active ? ' is-active' : ''}`}
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
