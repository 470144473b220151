// How fast the snapshot writer turns a Store into data/snapshot, and how much memory it takes, against the
// floor any writer has to pay: reading the same rows and writing them out as JSON.
//
//   node bench/snapshot-write.ts [--works 10000] [--rounds 2]
//
// Fills a SQLite Store with N synthetic published works (2 images each, a checkpoint and a LoRA reference
// each, an author per 20 works, 20 catalogue LoRAs with a quarter of the LoRA references linked), then runs
// each side in its own child process (so peak RSS, process.resourceUsage().maxRSS, belongs to that side):
//   writer    writeSnapshot(): pages of 500, batched queries, zod validation of every record, authors.json,
//             loras.json with suggested parameters, diff.json, atomic replace; measured twice per round:
//             `first` into an empty directory, `rewrite` over that snapshot (reading it back for the diff,
//             as the daily run does);
//   baseline  three plain queries (works, images, model refs: every row at once), grouped in memory, then
//             JSON.stringify in chunks of 1000 to files: no validation, no diff, nothing bounded.
// The ratio writer ÷ baseline is what the writer's guarantees cost; the RSS figures show what the baseline's
// all-at-once reading costs in memory. Best of --rounds for times, the largest RSS seen.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { LocalBlobStore } from '../src/core/blob/local-blob-store.ts';
import { WORKS_PER_CHUNK, workChunkFileName } from '../src/core/snapshot/paths.ts';
import { openMigratedStore } from '../src/core/store/create-store.ts';
import { writeSnapshot } from '../ingest/snapshot/write-snapshot.ts';

const { values } = parseArgs({
  options: {
    works: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '2' },
    // internal: one side of the comparison (baseline, first, rewrite), run in a child process
    phase: { type: 'string' },
    dir: { type: 'string' },
  },
});

interface Measurement {
  ms: number;
  maxRssMb: number;
}

const dbFile = (dir: string) => path.join(dir, 'bench.db');
const LORAS = 20;

/** Synthetic rows straight into the migrated SQLite file (one transaction; the Store's upserts would take minutes at 100k). */
function fill(dir: string, works: number): void {
  const db = new Database(dbFile(dir));
  db.pragma('journal_mode = WAL');
  const insertAuthor = db.prepare('INSERT INTO authors (source, external_id, name, profile_url) VALUES (?, ?, ?, ?)');
  const insertWork = db.prepare(`INSERT INTO works (source, external_id, slug, title, published_at, tags_json, prompt, negative_prompt,
    sampler, steps, cfg_scale, width, height, seed, like_count, source_url, author_id, nsfw_level) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertImage = db.prepare(`INSERT INTO work_images (work_id, image_index, src_url, s3_key, width, height, format, content_hash, size_bytes,
    thumbnails_json, status) VALUES (?, ?, ?, ?, ?, ?, 'png', ?, 12345, ?, 'OK')`);
  const insertModel = db.prepare('INSERT INTO work_models (work_id, model_type, model_name, model_url) VALUES (?, ?, ?, ?)');
  const insertLora = db.prepare(`INSERT INTO loras (source, external_id, title_cn, downloads, base_models, vision_foundation, cover_key, task)
    VALUES ('modelscope', ?, ?, ?, ?, ?, NULL, 'text-to-image-synthesis')`);
  const insertLink = db.prepare("INSERT INTO lora_links (lora_id, work_model_id, method, matched) VALUES (?, ?, 'name', ?)");
  const levels = ['None', 'None', 'None', 'Soft', 'Mature'];
  db.transaction(() => {
    const loraIds: number[] = [];
    for (let l = 0; l < LORAS; l++) {
      loraIds.push(Number(insertLora.run(`owner${l}/lora-${l}`, `风格 LoRA ${l}`, 10_000 - l, JSON.stringify([l % 2 ? 'SDXL' : 'FLUX.1']), l % 2 ? 'SDXL' : 'FLUX_1').lastInsertRowid));
    }
    const authorIds: number[] = [];
    for (let a = 0; a < Math.ceil(works / 20); a++) {
      authorIds.push(Number(insertAuthor.run('liblib', `author-${a}`, `作者 ${a}`, `https://www.liblib.art/userpage/author-${a}`).lastInsertRowid));
    }
    for (let i = 0; i < works; i++) {
      const source = i % 3 ? 'liblib' : 'civitai';
      const workId = Number(insertWork.run(
        source, `w${i}`, `w${i}`, `赛博朋克概念车 #${i}`, Date.UTC(2024, 0, 1) + i * 60_000, JSON.stringify(['汽车交通', 'car']),
        `一辆未来感跑车，超高清，电影感, concept car ${i}, cinematic lighting, masterpiece, best quality`, 'lowres, 模糊, watermark',
        'DPM++ 2M Karras', 20 + (i % 20), 7, 832, 1216, String(1_000_000_000 + i), i % 500, `https://www.liblib.art/imageinfo/w${i}`,
        authorIds[i % authorIds.length], source === 'civitai' ? levels[i % levels.length] : 'None',
      ).lastInsertRowid);
      for (let k = 0; k < 2; k++) {
        const key = `${source}/2024/01/01/w${i}/${k}_${i.toString(16).padStart(16, '0')}.png`;
        insertImage.run(workId, k, `https://img.example/${i}/${k}.png`, key, 832, 1216, `${i}-${k}`, JSON.stringify({ 320: `thumbs/320/${key.replace(/\.png$/, '.webp')}` }));
      }
      insertModel.run(workId, 'CHECKPOINT', 'SDXL 1.0', null);
      const lora = i % LORAS;
      const refId = Number(insertModel.run(workId, 'LORA', `风格 LoRA ${lora}`, null).lastInsertRowid);
      if (i % 4 === 0) insertLink.run(loraIds[lora], refId, `风格lora${lora}`);
    }
  })();
  db.close();
}

async function runWriter(dir: string, first: boolean): Promise<void> {
  if (first) fs.rmSync(path.join(dir, 'snapshot'), { recursive: true, force: true });
  const store = await openMigratedStore({ kind: 'sqlite', file: dbFile(dir) });
  const blobs = new LocalBlobStore({ driver: 'local', dir: path.join(dir, 'blobs'), publicBaseUrl: '/media' });
  try {
    await writeSnapshot(store, blobs, path.join(dir, 'snapshot'), new Date(), { thumbnailWidths: [320] });
  } finally {
    await store.close();
  }
}

function runBaseline(dir: string): void {
  const db = new Database(dbFile(dir), { readonly: true });
  const works = db.prepare("SELECT * FROM works WHERE status = 'published' ORDER BY published_at DESC, id DESC").all() as Array<Record<string, unknown> & { id: number }>;
  const group = (rows: Array<Record<string, unknown> & { work_id: number }>) => {
    const map = new Map<number, unknown[]>();
    for (const row of rows) {
      const list = map.get(row.work_id);
      if (list) list.push(row);
      else map.set(row.work_id, [row]);
    }
    return map;
  };
  const images = group(db.prepare("SELECT * FROM work_images WHERE status = 'OK' ORDER BY work_id, image_index").all() as never);
  const models = group(db.prepare('SELECT * FROM work_models ORDER BY work_id, id').all() as never);
  db.close();
  const out = path.join(dir, 'baseline');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  for (let start = 0, chunk = 1; start < works.length; start += WORKS_PER_CHUNK, chunk++) {
    const rows = works.slice(start, start + WORKS_PER_CHUNK).map((w) => ({ ...w, images: images.get(w.id) ?? [], models: models.get(w.id) ?? [] }));
    fs.writeFileSync(path.join(out, workChunkFileName(chunk)), `${JSON.stringify(rows)}\n`);
  }
}

async function phase(name: string, dir: string): Promise<void> {
  const started = performance.now();
  if (name === 'baseline') runBaseline(dir);
  else await runWriter(dir, name === 'first');
  const result: Measurement = { ms: performance.now() - started, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function measure(name: string, dir: string): Measurement {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--phase', name, '--dir', dir], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`${name} failed (exit ${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Measurement;
}

if (values.phase) {
  await phase(values.phase, values.dir!);
} else {
  const works = Number(values.works);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(works) || works < 1 || !Number.isInteger(rounds) || rounds < 1) throw new Error('--works and --rounds: whole numbers ≥ 1');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-bench-snapshot-'));
  try {
    const store = await openMigratedStore({ kind: 'sqlite', file: dbFile(dir) });
    await store.close();
    const filled = performance.now();
    fill(dir, works);
    console.log(`filled ${works} works (${2 * works} images, ${2 * works} model refs, ${LORAS} LoRAs) in ${((performance.now() - filled) / 1000).toFixed(1)} s`);
    const sides = ['baseline', 'first', 'rewrite'] as const;
    const best = Object.fromEntries(sides.map((name) => [name, { ms: Infinity, maxRssMb: 0 }])) as Record<(typeof sides)[number], Measurement>;
    // Interleaved rounds so drift in machine load hits every side alike.
    for (let round = 0; round < rounds; round++) {
      for (const name of sides) {
        const m = measure(name, dir);
        best[name] = { ms: Math.min(best[name].ms, m.ms), maxRssMb: Math.max(best[name].maxRssMb, m.maxRssMb) };
        console.log(`  round ${round + 1} ${name.padEnd(8)} ${(m.ms / 1000).toFixed(2)} s, peak RSS ${m.maxRssMb.toFixed(0)} MB`);
      }
    }
    const perSecond = (ms: number) => Math.round(works / (ms / 1000));
    const line = (label: string, m: Measurement) => `${label}: ${(m.ms / 1000).toFixed(2)} s, ${perSecond(m.ms)} works/s, peak RSS ${m.maxRssMb.toFixed(0)} MB`;
    const ratio = (m: Measurement) => `time ${(m.ms / best.baseline.ms).toFixed(2)}×, peak RSS ${(m.maxRssMb / best.baseline.maxRssMb).toFixed(2)}×`;
    console.log(line('baseline (all rows in one read + JSON.stringify)', best.baseline));
    console.log(`${line('writeSnapshot, first snapshot', best.first)}  (vs baseline: ${ratio(best.first)})`);
    console.log(`${line('writeSnapshot, rewrite with diff', best.rewrite)}  (vs baseline: ${ratio(best.rewrite)})`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
