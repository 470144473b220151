// A stand-in for `astro build` in the daily rehearsal test (a real build takes 12 s+; seven of them do not fit
// the CI budget): dist/client with an index.html naming the snapshot's time and counts, one hashed script it
// loads, a sitemap and a search entry, from SNAPSHOT_DIR, in the working directory.
// Run: node ingest/testing/tiny-site-build.ts   (the real rehearsal, scripts/daily-rehearsal.sh, runs astro build)
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const snapshotDir = process.argv[2] ?? path.resolve('data/snapshot');
const manifest = JSON.parse(fs.readFileSync(path.join(snapshotDir, 'manifest.json'), 'utf8')) as { generatedAt: string; counts: Record<string, { works: number }> };
const out = path.resolve('dist/client');
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, '_astro'), { recursive: true });
fs.mkdirSync(path.join(out, 'search-index'), { recursive: true });
const script = `console.log(${JSON.stringify(manifest.generatedAt)});\n`;
const scriptName = `app.${createHash('sha256').update(script).digest('hex').slice(0, 8)}.js`;
fs.writeFileSync(path.join(out, '_astro', scriptName), script);
fs.writeFileSync(path.join(out, '_astro', 'font.stable01.woff2'), Buffer.from('wOF2-stand-in'));
const works = Object.values(manifest.counts).reduce((n, c) => n + c.works, 0);
fs.writeFileSync(path.join(out, 'index.html'), `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>画库</title><script type="module" src="/_astro/${scriptName}"></script></head>` +
  `<body><main data-generated-at="${manifest.generatedAt}" data-works="${works}">画库 ${works}</main></body></html>\n`);
fs.writeFileSync(path.join(out, 'sitemap-index.xml'), `<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></sitemapindex>\n`);
fs.writeFileSync(path.join(out, 'search-index', 'entry.json'), `${JSON.stringify({ version: 1, docCount: 0, shards: [] })}\n`);
