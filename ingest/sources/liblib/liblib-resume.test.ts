// Crash safety, at exact points: the crawl CLI kills itself with SIGKILL (TEST_CRASH_AT, see
// ingest/pipeline/crash-points.ts) right after the n-th committed ledger unit of a stage, after a unit's
// network work but before its commit, in the middle of a blob put, or after a put before anything records
// it; then it is resumed, killed again at the next point, and so on. Each sequence, resumed to the end,
// must leave exactly the database rows and blob objects of an uninterrupted crawl.
//
// The points of every sequence are fixed below; SEED draws each n (bounded by the work still left, so every
// child really dies there). Each sequence logs the TEST_CRASH_AT values it used: a failure reproduces with
// the same seed, or by hand with `TEST_CRASH_AT=<value> node ingest/cli.ts liblib …` on the same state.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { makeRng } from '../../../fakes/liblib/rng.ts';
import { isVideoFormat } from '../../../src/core/media/video-derivatives.ts';
import { startFakeLiblib, type FakeLiblib } from '../../../fakes/liblib/server.ts';
import { BACKENDS, type TestBackend } from '../../testing/backends.ts';
import { spawnCli, type CliResult } from '../../testing/run-cli.ts';

const SEED = 20261204;

/**
 * Kill points of each sequence, in the order the crawl gets through its stages (list, detail, then the
 * author and comments units that details create, media last), so each still finds work left: 20 kills in
 * all. The two SQLite sequences together cover each of the twelve points (every stage's unit-handled and
 * unit-committed, and both blob points), detail and the blob put twice; MariaDB + s3rver (when
 * TEST_MYSQL_URL is set) repeats six of them on the other drivers, mid-upload to s3rver included.
 */
type Kind = 'sqlite' | 'mysql';
const SEQUENCES: Array<{ backend: Kind; points: string[] }> = [
  {
    backend: 'sqlite',
    points: ['unit-committed:list', 'unit-handled:detail', 'unit-committed:detail', 'unit-handled:author', 'unit-committed:comments', 'blob-writing', 'unit-committed:media'],
  },
  {
    backend: 'sqlite',
    points: ['unit-handled:list', 'unit-committed:detail', 'unit-committed:author', 'unit-handled:comments', 'blob-written', 'unit-handled:media', 'blob-writing'],
  },
  { backend: 'mysql', points: ['unit-committed:list', 'unit-committed:detail', 'unit-handled:author', 'blob-writing', 'blob-written', 'unit-handled:media'] },
];

/** The largest n drawn for a point. */
const MAX_COUNT = 6;
/** Child processes at once, over all sequences: loading the CLI is most of a child's cost. */
const CHILDREN_AT_ONCE = 3;

/** A small catalogue: a run takes seconds. No shared or dead images: which of two works first stores a
 * shared picture picks its key, and that order varies between two uninterrupted runs too. (No dead avatars
 * either, so every unit ends done; shared avatars are fine: their keys follow the content alone.) */
const CATALOGUE = { works: 24, otherWorks: 2, authors: 10, seed: 11, sharedImageRate: 0, deadImageRate: 0, deadAvatarRate: 0 };
const PAGE_SIZE = 8;
const LIST_PAGES = Math.ceil(CATALOGUE.works / PAGE_SIZE);
// Fast against the local fake: INGEST_RPS (the --rps flag stops at a polite 50).
const ARGS = ['liblib', '--page-size', String(PAGE_SIZE), '--comments', '--detail-concurrency', '4', '--media-concurrency', '4'];

type Row = Record<string, unknown>;

async function query(backend: TestBackend, sql: string): Promise<Row[]> {
  if (backend.database.kind === 'sqlite') {
    const db = new Database(backend.database.file, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all() as Row[];
    } finally {
      db.close();
    }
  }
  const connection = await mysql.createConnection({ uri: backend.database.url });
  try {
    const [rows] = await connection.query(sql);
    return rows as Row[];
  } finally {
    await connection.end();
  }
}

/** Surrogate keys, run ids and clocks differ between two crawls of the same catalogue; nothing else may. */
const VOLATILE = new Set(['id', 'work_id', 'author_id', 'run_id', 'created_at', 'updated_at', 'downloaded_at']);

function normalize(row: Row): Row {
  return Object.fromEntries(
    Object.entries(row)
      .filter(([column]) => !VOLATILE.has(column))
      .map(([column, value]) => [
        column,
        value instanceof Date ? value.toISOString()
          : typeof value === 'bigint' ? String(value)
          : column.endsWith('_json') && typeof value === 'string' ? JSON.parse(value)
          : value,
      ]),
  );
}

const sorted = (rows: Row[]) => [...new Set(rows.map((row) => JSON.stringify(row)))].sort().map((json) => JSON.parse(json) as Row);

/** Every row a crawl writes, by natural keys (work and author ids become their external ids). */
async function dumpTables(backend: TestBackend) {
  const workRefs = new Map((await query(backend, 'SELECT id, external_id FROM works')).map((w) => [Number(w.id), w.external_id]));
  const authorRefs = new Map((await query(backend, 'SELECT id, external_id FROM authors')).map((a) => [Number(a.id), a.external_id]));
  const byWork = async (table: string) =>
    sorted((await query(backend, `SELECT t.*, w.external_id AS work_ref FROM ${table} t JOIN works w ON w.id = t.work_id`)).map(normalize));
  const ledger = (await query(backend, 'SELECT * FROM crawl_ledger')).map((raw) => {
    const row = normalize(raw);
    const payload = row.payload_json as Row | null;
    // A list unit belongs to a walk (the id of the run that started it): a resume that finds the walk over
    // starts a new one over the same pages. Same pages, same outcome; the walk id and its counters differ.
    if (row.stage === 'list') return { ...row, unit_key: String(row.unit_key).replace(/:w\d+:/, ':'), payload_json: null };
    if (typeof payload?.workId === 'number') return { ...row, payload_json: { ...payload, workId: workRefs.get(payload.workId) } };
    if (typeof payload?.authorId === 'number') return { ...row, payload_json: { ...payload, authorId: authorRefs.get(payload.authorId) } };
    return row;
  });
  return {
    authors: sorted((await query(backend, 'SELECT * FROM authors')).map(normalize)),
    works: sorted((await query(backend, 'SELECT t.*, a.external_id AS author_ref FROM works t LEFT JOIN authors a ON a.id = t.author_id')).map(normalize)),
    workModels: await byWork('work_models'),
    workImages: await byWork('work_images'),
    comments: await byWork('comments'),
    ledger: sorted(ledger),
  };
}

/** Every object: key → sha256 of its body, content type and metadata. */
async function dumpBlobs(backend: TestBackend) {
  const objects: Record<string, { sha256: string; contentType: string | undefined; metadata: Record<string, string> }> = {};
  for (const key of await backend.listBlobKeys()) {
    const object = await backend.blobs.get(key);
    if (!object) throw new Error(`listed blob ${key} cannot be read`);
    const hash = createHash('sha256');
    for await (const chunk of object.body) hash.update(chunk as Buffer);
    objects[key] = { sha256: hash.digest('hex'), contentType: object.contentType, metadata: object.metadata };
  }
  return objects;
}

interface Reference {
  tables: Awaited<ReturnType<typeof dumpTables>>;
  blobs: Awaited<ReturnType<typeof dumpBlobs>>;
  /** Units each stage ends with done, and images stored: what is left to kill in is measured against them. */
  doneByStage: Record<string, number>;
  imagesStored: number;
}

describe(`Liblib crawl killed at exact points and resumed (seed ${SEED})`, () => {
  let fake: FakeLiblib;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-resume-'));
  const children = pLimit(CHILDREN_AT_ONCE);
  /** Started in beforeAll and awaited where needed: a sequence's first (list) kill runs beside them. */
  const references = new Map<Kind, Promise<Reference | null>>();
  const opened: TestBackend[] = [];

  const open = async (kind: Kind) => {
    const backend = await BACKENDS[kind === 'sqlite' ? 0 : 1]!.open();
    if (backend) opened.push(backend);
    return backend;
  };
  const crawl = (backend: TestBackend, crashAt?: string): Promise<CliResult> => {
    const env = {
      LOG_LEVEL: 'silent', REPORTS_DIR: path.join(dir, 'reports'), LIBLIB_API_BASE: fake.apiBaseUrl, INGEST_THUMBNAIL_WIDTHS: '320', INGEST_MAX_ATTEMPTS: '3', INGEST_RPS: '1000',
      ...backend.env, ...(crashAt ? { TEST_CRASH_AT: crashAt } : {}),
    };
    return children(() => spawnCli(ARGS, { env, compileCacheDir: path.join(dir, 'compile-cache') }));
  };

  async function reference(kind: Kind): Promise<Reference | null> {
    const backend = await open(kind);
    if (!backend) return null;
    const clean = await crawl(backend);
    if (clean.code !== 0 || clean.stderr !== '') throw new Error(`the uninterrupted crawl failed (${clean.code}): ${clean.stderr}${clean.stdout}`);
    const tables = await dumpTables(backend);
    const doneByStage: Record<string, number> = {};
    for (const unit of tables.ledger) doneByStage[String(unit.stage)] = (doneByStage[String(unit.stage)] ?? 0) + 1;
    return { tables, blobs: await dumpBlobs(backend), doneByStage, imagesStored: tables.workImages.filter((i) => i.status === 'OK').length };
  }

  beforeAll(async () => {
    fake = await startFakeLiblib(CATALOGUE);
    for (const kind of new Set(SEQUENCES.map((s) => s.backend))) {
      const made = reference(kind);
      made.catch(() => undefined); // reported by the tests that await it
      references.set(kind, made);
    }
  });
  afterAll(async () => {
    await Promise.allSettled(references.values());
    await fake?.close();
    await Promise.all(opened.map((backend) => backend.cleanup()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const kind of new Set(SEQUENCES.map((s) => s.backend))) {
    it.concurrent(`the uninterrupted reference crawl (${kind}) stores the whole catalogue, every unit done once`, async (test) => {
      const ref = await references.get(kind);
      if (!ref) return test.skip();
      const { expect } = test;
      expect(ref.tables.works).toHaveLength(CATALOGUE.works);
      expect(ref.doneByStage).toMatchObject({ list: LIST_PAGES, detail: CATALOGUE.works, comments: CATALOGUE.works });
      expect(ref.doneByStage.author).toBeGreaterThan(1);
      expect(ref.imagesStored).toBe(ref.doneByStage.media);
      expect(ref.tables.ledger.filter((unit) => unit.status !== 'done' || unit.attempts !== 1)).toEqual([]);
      // The original and one thumbnail width each, and a video's short preview besides; each distinct avatar
      // with its thumbnails (authors may share one).
      const videos = ref.tables.workImages.filter((i) => i.status === 'OK' && isVideoFormat(i.format as string | null)).length;
      const avatars = ref.tables.authors.flatMap((a) => (a.avatar_json ? [a.avatar_json as { key: string; thumbnails: Array<{ key: string }> }] : []));
      expect(avatars.length).toBeGreaterThan(1);
      const avatarObjects = new Set(avatars.flatMap((a) => [a.key, ...a.thumbnails.map((t) => t.key)]));
      expect(Object.keys(ref.blobs)).toHaveLength(ref.imagesStored * 2 + videos + avatarObjects.size);
    }, 600_000);
  }

  /** What is left for a kill point to count: its stage's units not yet done, or images not yet stored. */
  async function leftFor(point: string, backend: TestBackend, ref: Promise<Reference | null>): Promise<number> {
    const [event, stage] = point.split(':');
    if (stage === 'list') return LIST_PAGES - (await backend.store.ledger.countByStatus('liblib', 'list')).done;
    const { doneByStage, imagesStored } = (await ref)!;
    if (event!.startsWith('blob-')) return imagesStored - (await backend.store.images.listByStatus('OK', 100_000)).length;
    return doneByStage[stage!]! - (await backend.store.ledger.countByStatus('liblib', stage)).done;
  }

  SEQUENCES.forEach((sequence, index) => {
    const label = `sequence ${index + 1} on ${sequence.backend === 'sqlite' ? 'SQLite + local blobs' : 'MariaDB + s3rver'}`;
    it.concurrent(`${label}: ${sequence.points.join(' → ')}, resumed each time`, async (test) => {
      const { expect } = test;
      const backend = await open(sequence.backend);
      if (!backend) return test.skip();
      const ref = references.get(sequence.backend)!;
      const rng = makeRng(SEED, 'sequence', index);
      const used: string[] = [];
      const context = () => `${label}, seed ${SEED}, TEST_CRASH_AT so far: ${used.join(' → ') || '(none)'}`;
      for (const point of sequence.points) {
        const left = await leftFor(point, backend, ref);
        expect(left, `${context()}: nothing left to kill at ${point}`).toBeGreaterThan(0);
        // Early in what is left: the later points of the sequence still find work.
        const crashAt = `${point}:${rng.int(1, Math.min(MAX_COUNT, Math.ceil(left / 4)))}`;
        used.push(`${crashAt} (of ${left})`);
        const killed = await crawl(backend, crashAt);
        expect(killed.signal, `${context()}: exit ${killed.code}, ${killed.stderr}`).toBe('SIGKILL');
        expect(killed.stderr, context()).toBe('');
      }
      console.log(`${context()} → resume`);
      const resumed = await crawl(backend);
      expect(resumed.code, `${context()}: ${resumed.stderr}${resumed.stdout}`).toBe(0);
      const expected = (await ref)!;
      const tables = await dumpTables(backend);
      for (const table of Object.keys(expected.tables) as Array<keyof Reference['tables']>) {
        expect(tables[table], `${context()}: table ${table}`).toEqual(expected.tables[table]);
      }
      expect(await dumpBlobs(backend), `${context()}: blobs`).toEqual(expected.blobs);
      const runs = await query(backend, 'SELECT status FROM fetch_runs ORDER BY id');
      expect(runs.at(-1)?.status, context()).toBe('SUCCESS');
    }, 600_000);
  });
});
