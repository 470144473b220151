// Every command of `npm run ingest`: what --help shows and parseArgs reads, and the module that runs it.
// This file imports nothing at run time, so `--help` and `<command> --help` load no command: the database
// drivers, the S3 SDK, sharp, BullMQ and chart.js come in only with the command that uses them
// (ingest/cli.test.ts checks it). Defaults shown here that an implementation also owns are compared with it
// in command-table.test.ts.
import type { CommandEntry, CommandOptions } from './command.ts';

/** The crawl flags `liblib` and `retry-failed` share. */
const LIBLIB_CRAWL_OPTIONS: CommandOptions = {
  category: { type: 'string', description: 'gallery category, as named in ingest/sources/liblib/categories.json', default: '汽车交通' },
  sort: { type: 'string', description: 'latest or hot', default: 'latest' },
  keyword: { type: 'string', description: '检索: walk the gallery search for this keyword (within the category) instead of the whole list' },
  mode: { type: 'string', description: 'full, or incremental (newest first, stop after --window known works)', default: 'full' },
  pages: { type: 'string', description: 'list pages: N, N-M or N- (to the end)', default: '1-' },
  'page-size': { type: 'string', description: 'works per list page', default: '30' },
  'max-works': { type: 'string', description: 'stop listing after this many new works' },
  window: { type: 'string', description: 'incremental mode: consecutive known works that end the walk', default: '30' },
  rps: { type: 'string', description: 'requests per second per host (default INGEST_RPS)' },
  'list-concurrency': { type: 'string', description: 'concurrent list requests (default INGEST_LIST_CONCURRENCY)' },
  'detail-concurrency': { type: 'string', description: 'concurrent detail requests (default INGEST_DETAIL_CONCURRENCY)' },
  'media-concurrency': { type: 'string', description: 'concurrent media downloads (default INGEST_MEDIA_CONCURRENCY)' },
  'max-attempts': { type: 'string', description: 'attempts per unit in this run (default INGEST_MAX_ATTEMPTS)' },
  comments: { type: 'boolean', description: 'also fetch comments', default: false },
  pnginfo: { type: 'boolean', description: 'ask getPnginfo for images whose detail lacks parameters (unverified endpoint)', default: false },
  authors: { type: 'boolean', description: 'fetch author profiles (--no-authors skips them)', default: true },
};

/** The Civitai downloader's defaults (DEFAULT_IMAGE_DOWNLOAD_CONFIG, whose module loads sharp). */
export const CIVITAI_DOWNLOAD_DEFAULTS = { outputPath: './images', pathTemplate: '{model_id}/{id}', maxConcurrent: 5, pageSize: 100 } as const;
/** PATH_TEMPLATE_PRESETS' names. */
export const CIVITAI_TEMPLATE_PRESETS = ['by-model', 'by-creator', 'by-nsfw', 'by-model-name'] as const;
/** INSPECTORS' sources. */
export const INSPECT_SOURCES = ['liblib', 'civitai', 'modelscope'] as const;
/** toploras' DEFAULT_TASK, DEFAULT_LIMIT and the cache's CACHE_MAX_AGE_MS in minutes. */
export const TOPLORAS_DEFAULTS = { task: 'text-to-image-synthesis', limit: 20, cacheMaxAgeMinutes: 10 } as const;

/** generate's GENERATE_DEFAULT_OUT. */
export const GENERATE_DEFAULTS = { out: 'cache/outputs' } as const;

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'start',
    summary: 'the main job on this machine: migrate, ingest the offline demo data, snapshot, build the site, then serve it',
    usage: 'npm run start [-- --no-serve] [--no-demo] [--demo-works 1000]',
    options: {
      serve: { type: 'boolean', default: true, description: 'serve the built site until Ctrl-C (--no-serve stops after the build)' },
      demo: { type: 'boolean', default: true, description: 'ingest from the bundled offline Liblib, Civitai and ModelScope fakes before building, and generate on the offline ModelScope API-Inference, A1111 and ComfyUI fakes while serving (--no-demo builds from the current snapshot and uses GENERATION_PROVIDERS)' },
      'demo-works': { type: 'string', default: '1000', description: 'how many Liblib works the demo ingest takes' },
    },
    load: async () => (await import('./start.ts')).startCommand,
  },
  {
    name: 'migrate',
    summary: 'apply database migrations (SQLite file or MySQL/MariaDB from DATABASE_URL)',
    usage: 'npm run migrate',
    options: {},
    load: async () => (await import('./migrate.ts')).migrateCommand,
  },
  {
    name: 'doctor',
    summary: 'show the configuration in effect (secrets masked) and whether each service is reachable',
    usage: 'npm run doctor',
    options: {},
    load: async () => (await import('./doctor.ts')).doctorCommand,
  },
  {
    name: 'serve',
    summary: 'serve the already built site and API (dist/) on HOST:PORT',
    usage: 'npm run serve',
    options: {},
    load: async () => (await import('./start.ts')).serveCommand,
  },
  {
    name: 'liblib',
    summary: 'crawl Liblib (default: 汽车交通, newest first) into the database and blob store',
    usage: 'npm run ingest -- liblib [--category 汽车交通] [--keyword 汽车] [--mode full|incremental] [--pages 1-50] [--max-works 1000] [--rps 4] [--comments]',
    options: LIBLIB_CRAWL_OPTIONS,
    load: async () => (await import('./liblib.ts')).liblibCommand,
  },
  {
    name: 'retry-failed',
    summary: 'compensate the failure queue: requeue failed units (below --limit attempts) and process them',
    usage: 'npm run ingest -- retry-failed --source liblib [--stage detail] [--limit 6]',
    options: {
      source: { type: 'string', description: 'which source’s failure queue', default: 'liblib' },
      stage: { type: 'string', description: 'only this stage (list, detail, author, comments, media)' },
      limit: { type: 'string', description: 'units that already had this many attempts stay failed (default 2 × INGEST_MAX_ATTEMPTS)' },
      ...LIBLIB_CRAWL_OPTIONS,
    },
    load: async () => (await import('./liblib.ts')).retryFailedCommand,
  },
  {
    name: 'civitai',
    summary: 'download Civitai images (a model, version, creator, filter or one image) into a folder, or into the catalogue with --catalog',
    usage:
      'npm run ingest -- civitai images --model 123 | --version 456 | --creator NAME | --filter key=value[&key=value…] | --image 789 ' +
      '[--limit N] [--nsfw None,Soft] [--template "{creator}/{id}"|by-model|by-creator|by-nsfw] [--metadata json|txt|exif|none] [--out DIR] ' +
      '[--concurrency 5] [--thumbnails 256] [--on-duplicate skip|replace|keep-both] [--catalog]',
    options: {
      model: { type: 'string', description: 'every image of this model id' },
      version: { type: 'string', description: 'the images of this model version id' },
      creator: { type: 'string', description: "a creator's images, by username" },
      filter: { type: 'string', description: "/images filters as key=value&key=value (more key=value may follow as arguments), e.g. 'baseModels=SDXL 1.0&period=Week'" },
      image: { type: 'string', description: 'one image by id' },
      limit: { type: 'string', description: 'most images (0 = all; default all for --model/--version, 20 for --creator/--filter)' },
      nsfw: { type: 'string', description: 'NSFW levels to keep: None, Soft, Mature, X (comma list) or all', default: 'None,Soft' },
      template: {
        type: 'string',
        description: `path template or preset (default ${CIVITAI_DOWNLOAD_DEFAULTS.pathTemplate}; ${CIVITAI_TEMPLATE_PRESETS.join(', ')}); placeholders {model_id} {model_name} {version_id} {id} {creator} {nsfw_level} {hash}`,
      },
      metadata: { type: 'string', description: 'json (default), txt (A1111 parameters), exif (inside the image) or none' },
      out: { type: 'string', description: `output folder (default ${CIVITAI_DOWNLOAD_DEFAULTS.outputPath})` },
      concurrency: { type: 'string', description: 'downloads at a time', default: String(CIVITAI_DOWNLOAD_DEFAULTS.maxConcurrent) },
      thumbnails: { type: 'string', description: 'also write WebP thumbnails fitted in this size (256 or 256x192) under <out>/thumbnails' },
      'on-duplicate': { type: 'string', description: 'an image whose URL or content is already stored: skip (default), replace or keep-both' },
      'skip-existing': { type: 'boolean', description: 'skip images already in the folder (the default; --no-skip-existing downloads them again)' },
      'page-size': { type: 'string', description: 'items per /images request (1–200)', default: String(CIVITAI_DOWNLOAD_DEFAULTS.pageSize) },
      rps: { type: 'string', description: 'requests per second per host (default INGEST_RPS)' },
      catalog: { type: 'boolean', description: 'store into the catalogue (database + blob store, source civitai) instead of a folder', default: false },
      'retry-failed': { type: 'boolean', description: 'with --catalog: requeue the failure queue first', default: false },
      'max-attempts': { type: 'string', description: 'with --catalog: attempts per unit (default INGEST_MAX_ATTEMPTS)' },
    },
    load: async () => (await import('./civitai.ts')).civitaiCommand,
  },
  {
    name: 'inspect',
    summary: 'validate and normalize one recorded upstream response; print the records, or the contract errors with their JSON paths',
    usage: 'npm run ingest -- inspect --source liblib --endpoint list|detail|author|comments --file response.json',
    options: {
      source: { type: 'string', description: `upstream the response came from: ${INSPECT_SOURCES.join(', ')}`, default: 'liblib' },
      endpoint: { type: 'string', description: 'which endpoint answered (e.g. liblib: list, detail, author, comments)' },
      file: { type: 'string', description: 'the saved response body, as the upstream sent it' },
    },
    load: async () => (await import('./inspect.ts')).inspectCommand,
  },
  {
    name: 'snapshot',
    summary: 'write the JSON snapshot the site is built from (SNAPSHOT_DIR) from the database',
    usage: 'npm run ingest -- snapshot',
    options: {},
    load: async () => (await import('./snapshot.ts')).snapshotCommand,
  },
  {
    name: 'analyze',
    summary: 'analyse the snapshot: PNG charts (works per day and source, top authors, checkpoint and LoRA Top-N, prompt word cloud) and a Markdown report',
    usage: 'npm run ingest -- analyze [--snapshot DIR] [--out DIR]',
    options: {
      snapshot: { type: 'string', description: 'the snapshot directory to read (default: SNAPSHOT_DIR)' },
      out: { type: 'string', description: 'where to write analysis-<date>.md and the PNGs (default: REPORTS_DIR)' },
    },
    load: async () => (await import('./analyze.ts')).analyzeCommand,
  },
  {
    name: 'toploras',
    summary: 'ModelScope Top-LoRAs by downloads: cache/top_loras_{task}.json, covers in cache/images/{task}/, and the catalogue',
    usage:
      'npm run ingest -- toploras [--task text-to-image-synthesis[,image-to-video]] [--limit 20] [--force-refresh] ' +
      '[--cache-file PATH] [--images-dir DIR] [--per-task-cache] [--no-covers] [--no-catalog]',
    options: {
      task: { type: 'string', description: 'ModelScope task (several: comma-separated)', default: TOPLORAS_DEFAULTS.task },
      limit: { type: 'string', description: 'how many LoRAs per task', default: String(TOPLORAS_DEFAULTS.limit) },
      'force-refresh': { type: 'boolean', description: `fetch even when the cache is younger than ${TOPLORAS_DEFAULTS.cacheMaxAgeMinutes} minutes`, default: false },
      'cache-file': { type: 'string', description: 'the cache file (default cache/top_loras_{safe_task}.json)' },
      'images-dir': { type: 'string', description: 'where covers are saved (default cache/images/{safe_task})' },
      'per-task-cache': { type: 'boolean', description: 'one cache file per task from --cache-file (name_{safe_task}.json) and a {safe_task} folder in --images-dir', default: false },
      covers: { type: 'boolean', description: 'download covers and fill cover_local', default: true },
      catalog: { type: 'boolean', description: 'also upsert the LoRAs into the database and blob store', default: true },
    },
    load: async () => (await import('./toploras.ts')).topLorasCommand,
  },
  {
    name: 'generate',
    summary: 'generate images through the configured providers (GENERATION_PROVIDERS) into cache/outputs/{task}/, each PNG carrying its recipe',
    usage:
      'npm run ingest -- generate --model <id> --prompt "…" [--negative "…"] [--lora id:0.8,id2:0.5] [--provider modelscope|a1111|comfyui] ' +
      '[--steps 25] [--cfg 7] [--sampler "Euler a"] [--width 1024] [--height 1024] [--seed -1] [--batch 1] [--out cache/outputs] [--demo]',
    options: {
      model: { type: 'string', description: 'checkpoint or model id as the provider knows it (ModelScope owner/name, an A1111 checkpoint title, a ComfyUI file name)' },
      prompt: { type: 'string', description: 'what to draw' },
      negative: { type: 'string', description: 'negative prompt' },
      lora: { type: 'string', description: 'LoRAs with weights: id:weight, comma-separated (weight 0.8 when left out)' },
      provider: { type: 'string', description: 'only these providers (comma-separated, in the configured order; default: all of GENERATION_PROVIDERS)' },
      task: { type: 'string', description: 'generation task', default: 'text-to-image-synthesis' },
      steps: { type: 'string', description: 'sampling steps (1–100, default 25)' },
      cfg: { type: 'string', description: 'CFG scale (1–30, default 7)' },
      sampler: { type: 'string', description: 'sampler, A1111 name (default Euler a)' },
      width: { type: 'string', description: 'width in pixels, multiple of 8 (256–2048, default 1024)' },
      height: { type: 'string', description: 'height in pixels, multiple of 8 (256–2048, default 1024)' },
      seed: { type: 'string', description: 'seed, -1 for a random one (default -1)' },
      batch: { type: 'string', description: 'images in this run (1–4, default 1)' },
      out: { type: 'string', description: 'output folder; images go to <out>/<task>/', default: GENERATE_DEFAULTS.out },
      demo: { type: 'boolean', description: 'generate on the bundled offline fakes (no GPU, no token; images stamped DEMO 演示输出)', default: false },
    },
    load: async () => (await import('./generate.ts')).generateCommand,
  },
  {
    name: 'daily',
    summary: 'the whole day: migrate, abort abandoned runs, crawl, retry, Top-LoRAs, snapshot, analyze, history, cache, build, deploy, summary',
    usage: 'npm run ingest -- daily [--only phase[,phase…]] [--build-command CMD] [--rps 4] [--now ISO]',
    options: {
      only: { type: 'string', description: 'run only these phases (migrate, abort-stale, liblib, civitai, retry-failed, toploras, snapshot, analyze, history, cache, build, deploy, summary)' },
      'build-command': { type: 'string', description: 'the build phase\'s shell command (default DAILY_BUILD_COMMAND)' },
      dist: { type: 'string', description: 'the built site to deploy', default: 'dist/client' },
      'civitai-targets': { type: 'string', description: 'the Civitai targets file (default ingest/sources/civitai/daily.json)' },
      rps: { type: 'string', description: 'crawl requests per second per host (default INGEST_RPS)' },
      window: { type: 'string', description: 'Liblib incremental: consecutive known works that end the walk', default: '30' },
      'page-size': { type: 'string', description: 'Liblib works per list page', default: '30' },
      'max-works': { type: 'string', description: 'Liblib: stop listing after this many new works' },
      now: { type: 'string', description: "the day's clock as an ISO date-time (rehearsals; default: now)" },
      charts: { type: 'boolean', description: 'render the analysis PNG charts (--no-charts: report and JSON only)', default: true },
    },
    load: async () => (await import('./daily.ts')).dailyCommand,
  },
  {
    name: 'deploy',
    summary: 'upload the built site (dist/client) to DEPLOY_BUCKET: hashed assets first, HTML last, only changed files',
    usage: 'npm run ingest -- deploy [--dir dist/client] | deploy --preview [--port 4322] [--origin http://127.0.0.1:4321]',
    options: {
      dir: { type: 'string', description: 'the built site', default: 'dist/client' },
      preview: { type: 'boolean', description: 'upload nothing: serve what the bucket holds as the CDN would, until Ctrl-C' },
      port: { type: 'string', description: 'with --preview: the port to listen on', default: '4322' },
      origin: { type: 'string', description: 'with --preview: the community server that /api/, /media/ and on-demand pages go to' },
    },
    load: async () => (await import('./deploy.ts')).deployCommand,
  },
  {
    name: 'cache',
    summary: 'rebuild the Redis caches (hot_rank, feed_queue, user:{id}:*, artwork:{id}:likes) from the database',
    usage: 'npm run ingest -- cache rebuild',
    options: {},
    load: async () => (await import('./cache.ts')).cacheCommand,
  },
  {
    name: 'admin',
    summary: 'grant or revoke the admin role of a community user (admins see /admin/runs)',
    usage: 'npm run ingest -- admin grant <username> | admin revoke <username>',
    options: {},
    load: async () => (await import('./admin.ts')).adminCommand,
  },
];
