// Covers marked `data-cover-fallback` that fail to load (a dead upstream URL, a missing blob) show the
// placeholder file instead. Module scripts run after the parser, so covers that already failed are found
// by their state; later failures (lazy covers, paging) by a capturing `error` listener, as error events
// do not bubble.
import { COVER_PLACEHOLDER } from '../../lib/loras/catalogue.ts';

function showPlaceholder(img: HTMLImageElement): void {
  // The placeholder itself failing must not loop.
  if (img.getAttribute('src') === COVER_PLACEHOLDER) return;
  img.removeAttribute('srcset');
  img.src = COVER_PLACEHOLDER;
  img.dataset.placeholder = '';
}

export function installCoverFallback(): void {
  document.addEventListener(
    'error',
    (event) => {
      const target = event.target;
      if (target instanceof HTMLImageElement && target.hasAttribute('data-cover-fallback')) showPlaceholder(target);
    },
    true,
  );
  for (const img of document.querySelectorAll<HTMLImageElement>('img[data-cover-fallback]')) {
    // A lazy image not yet requested is not `complete`; a broken one is complete with no pixels.
    if (img.complete && img.naturalWidth === 0) showPlaceholder(img);
  }
}
