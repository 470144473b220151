// Like and favorite buttons on a prerendered artwork page (hydrated when the browser is idle, off the
// first paint). The HTML ships them disabled ("正在读取…"),
// so the page never waits for JavaScript; once hydrated, the island reads the live state from the
// community API and either enables them (ReactionButtons) or keeps them disabled with the reason.
import { useEffect, useState } from 'react';
import ReactionButtons from './ReactionButtons.tsx';
import { readLiveReactions, type LiveReactions as LiveState } from './reaction-state.ts';

interface Props {
  /** The snapshot's work id (the community API's id when it is numeric). */
  workId: string;
}

const LOADING: LiveState = { kind: 'unavailable', reason: '正在读取点赞与收藏…' };

export default function LiveReactions({ workId }: Props) {
  const [state, setState] = useState<LiveState>(LOADING);
  useEffect(() => {
    let current = true;
    void readLiveReactions(workId).then((next) => current && setState(next));
    return () => {
      current = false;
    };
  }, [workId]);

  // Keyed by state: ReactionButtons takes its props as initial state, so the ready buttons must mount fresh.
  if (state.kind === 'unavailable') {
    return <ReactionButtons key={state.reason} artworkId={0} likeCount={0} favoriteCount={0} liked={false} favorited={false} signedIn={false} disabledReason={state.reason} />;
  }
  return (
    <ReactionButtons
      key="ready"
      artworkId={state.artworkId}
      likeCount={state.likeCount}
      favoriteCount={state.favoriteCount}
      liked={state.liked}
      favorited={state.favorited}
      signedIn={state.signedIn}
    />
  );
}
