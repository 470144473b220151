// The videos the fakes serve: two tiny real clips committed beside this file (96×64, 2 s, 6 fps; an H.264
// MP4 and a VP8 WebM, a few KB each, made once with ffmpeg's `testsrc2` and no metadata), and a broken
// one cut from the MP4. Committed rather than generated at start-up: the fakes must start without ffmpeg
// and serve the same bytes on every machine.
import { readFileSync } from 'node:fs';

export type FakeVideoKind = 'mp4' | 'webm' | 'truncated';

const cache = new Map<FakeVideoKind, Buffer>();

const CONTENT_TYPES: Record<FakeVideoKind, string> = { mp4: 'video/mp4', webm: 'video/webm', truncated: 'video/mp4' };

/** The bytes of one fake video; 'truncated' is the MP4 cut at half (its index survives, its frames do not). */
export function fakeVideo(kind: FakeVideoKind): { body: Buffer; contentType: string } {
  let body = cache.get(kind);
  if (!body) {
    if (kind === 'truncated') {
      const whole = fakeVideo('mp4').body;
      body = whole.subarray(0, Math.floor(whole.length / 2));
    } else {
      body = readFileSync(new URL(`./videos/clip.${kind}`, import.meta.url));
    }
    cache.set(kind, body);
  }
  return { body, contentType: CONTENT_TYPES[kind] };
}
