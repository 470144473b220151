// What the video pipeline adds on top of ffmpeg itself: the poster (WebP thumbnails at the configured
// widths) and the muted preview of N tiny clips, against the very same two ffmpeg commands run bare.
//
//   node bench/video-thumbnails.ts [--clips 50] [--rounds 2]
//
//   pipeline  makeVideoDerivatives(): the poster frame and the preview (two ffmpeg processes, side by side),
//             then sharp's WebP thumbnails at 320 and 960 and three BlobStore writes (local driver);
//   bare      the same two ffmpeg argument lists (posterArgs, previewArgs) spawned directly, side by side,
//             their stdout written to files: no thumbnails, no store.
// Clips are 64×48, 1 s, 8 fps H.264 (made first, not timed), so the figure measures the overhead around
// ffmpeg rather than encoding. Both sides write under /dev/shm (RAM) when it exists: the local BlobStore
// fsyncs every object and sidecar (~40 ms each on this machine's disk), a durability cost images pay
// alike and the bare side would not, which would drown the comparison. Rounds alternate which side runs
// first; the best round of each counts.
// Target: pipeline ÷ bare ≤ 1.2.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LocalBlobStore } from '../src/core/blob/local-blob-store.ts';
import { ffBinaries, ffVersions } from '../src/core/media/ffmpeg-binaries.ts';
import { makeVideoDerivatives, posterArgs, previewArgs } from '../src/core/media/video-derivatives.ts';
import { DEFAULT_VIDEO_LIMITS, probeVideo, type VideoProbe } from '../src/core/media/video-probe.ts';
import { makeVideo } from '../src/core/testing/videos.ts';

const { values } = parseArgs({
  options: { clips: { type: 'string', default: '50' }, rounds: { type: 'string', default: '2' } },
});
const clipCount = Number(values.clips);
const rounds = Number(values.rounds);

const dir = await fsp.mkdtemp(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'huaku-bench-video-'));
try {
  const versions = await ffVersions();
  console.log(`ffmpeg: ${versions.origin} (${versions.ffmpeg})`);
  const clips: Array<{ file: string; probe: VideoProbe }> = [];
  for (let i = 0; i < clipCount; i += 2) {
    // Two at a time: the machine has two cores.
    const made = await Promise.all([i, i + 1].filter((n) => n < clipCount).map(async (n) => {
      const file = path.join(dir, `clip-${n}.mp4`);
      await makeVideo(file, { width: 64, height: 48, fps: 8, seconds: 1 });
      return { file, probe: await probeVideo(file, DEFAULT_VIDEO_LIMITS) };
    }));
    clips.push(...made);
  }
  const { ffmpeg } = ffBinaries();

  const bareOne = (args: string[], out: string) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.pipe(fs.createWriteStream(out));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}`))));
    });

  async function bare(round: number): Promise<number> {
    const started = performance.now();
    for (const [i, clip] of clips.entries()) {
      await Promise.all([
        bareOne(posterArgs(clip.file, clip.probe), path.join(dir, `bare-${round}-${i}.png`)),
        bareOne(previewArgs(clip.file, clip.probe), path.join(dir, `bare-${round}-${i}.mp4`)),
      ]);
    }
    return performance.now() - started;
  }

  async function pipeline(round: number): Promise<number> {
    const blobs = new LocalBlobStore({ driver: 'local', dir: path.join(dir, `blobs-${round}`), publicBaseUrl: '/media' });
    const started = performance.now();
    try {
      for (const [i, clip] of clips.entries()) {
        await makeVideoDerivatives({ blobs, file: clip.file, originalKey: `bench/${i}.mp4`, probe: clip.probe, widths: [320, 960] });
      }
      return performance.now() - started;
    } finally {
      await blobs.close();
    }
  }

  let bestBare = Infinity;
  let bestPipeline = Infinity;
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['bare', 'pipeline'] as const) : (['pipeline', 'bare'] as const);
    for (const side of order) {
      const ms = side === 'bare' ? await bare(round) : await pipeline(round);
      if (side === 'bare') bestBare = Math.min(bestBare, ms);
      else bestPipeline = Math.min(bestPipeline, ms);
      console.log(`round ${round + 1} ${side.padEnd(8)} ${ms.toFixed(0).padStart(6)} ms (${(ms / clipCount).toFixed(1)} ms per clip)`);
    }
  }
  const ratio = bestPipeline / bestBare;
  console.log(`\n${clipCount} clips: pipeline ${bestPipeline.toFixed(0)} ms, bare ffmpeg ${bestBare.toFixed(0)} ms`);
  console.log(`ratio pipeline ÷ bare = ${ratio.toFixed(3)} (target ≤ 1.2)${ratio <= 1.2 ? '' : '  ABOVE TARGET'}`);
} finally {
  await fsp.rm(dir, { recursive: true, force: true });
}
