// A built and running site over a snapshot of LoRAs (and works), with real cover images in a local blob
// store served at /media: shared by the LoRA browser tests and bench/lora-gallery.ts.
import path from 'node:path';
import sharp from 'sharp';
import { LocalBlobStore } from '../../src/core/blob/local-blob-store.ts';
import { writeTestSnapshot } from '../../src/core/snapshot/test-fixtures.ts';
import type { SnapshotLora, SnapshotWork } from '../../src/core/snapshot/schema.ts';
import { buildSite, makeWorkDir, startSiteServer, type RunningServer } from './harness.ts';

export const SITE_URL = 'https://huaku.example';

export interface CoverImage {
  /** Blob key, served at `/media/<key>`. */
  key: string;
  width: number;
  height: number;
}

/** A PNG of the given size: a diagonal gradient, so it compresses like a picture rather than a flat fill. */
export async function coverPng(width: number, height: number, seed = 0): Promise<Buffer> {
  const hue = (seed * 47) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="hsl(${hue},70%,55%)"/><stop offset="1" stop-color="hsl(${(hue + 120) % 360},70%,35%)"/>
    </linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 4}" fill="hsl(${(hue + 240) % 360},60%,70%)"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export interface LoraSite {
  dir: string;
  server: RunningServer;
  buildMs: number;
  /** The built static files (client/ holds the pages). */
  outDir: string;
  stop: () => Promise<void>;
}

export async function startLoraSite(options: {
  prefix: string;
  loras: readonly SnapshotLora[];
  works?: readonly SnapshotWork[];
  covers: readonly CoverImage[];
}): Promise<LoraSite> {
  const work = await makeWorkDir(options.prefix);
  try {
    const dir = work.dir;
    const snapshotDir = path.join(dir, 'snapshot');
    const blobDir = path.join(dir, 'blobs');
    await writeTestSnapshot(snapshotDir, options.works ?? [], { loras: options.loras });
    const blobs = new LocalBlobStore({ driver: 'local', dir: blobDir, publicBaseUrl: '/media' });
    for (const [i, cover] of options.covers.entries()) {
      await blobs.put(cover.key, await coverPng(cover.width, cover.height, i), { contentType: 'image/png' });
    }
    await blobs.close();

    const built = await buildSite({ outDir: path.join(dir, 'dist'), cacheDir: path.join(dir, 'astro-cache'), env: { SNAPSHOT_DIR: snapshotDir, SITE_URL } });
    const server = await startSiteServer({ outDir: built.outDir, workDir: dir, snapshotDir, blobDir, env: { SITE_URL } });
    return {
      dir,
      server,
      buildMs: built.ms,
      outDir: built.outDir,
      stop: async () => {
        await server.stop();
        await work.cleanup();
      },
    };
  } catch (error) {
    await work.cleanup();
    throw error;
  }
}
