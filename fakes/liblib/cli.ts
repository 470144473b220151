// Starts the fake Liblib for manual use:
//   node fakes/liblib/cli.ts --port 0 --works 1200 [--seed 1] [--host 127.0.0.1] [--now 2025-08-22T04:00:00Z]
//                            [--no-null-pages] [--faults '{"detail":{"rate429":0.1}}'] [--day 3 --works-per-day 20]
// --day N: the catalogue as it stands on day N of a daily schedule (day 1: the initial works; each later day
// adds --works-per-day newer works, as addWorks() does): restart the fake with the next day to rehearse a week.
// Prints the base URL on the first line of stdout, then a few ready-to-paste examples. Ctrl-C stops it.

import { fakeCli, stopOnSignals } from '../shared/cli.ts';
import { TAG_AUTOMOTIVE } from './catalogue.ts';
import { SORT_LATEST, startFakeLiblib } from './server.ts';

const { values: args, fail, int, faults: parseFaults } = fakeCli(
  `usage: node fakes/liblib/cli.ts [--port 0] [--host 127.0.0.1] [--works 1200] [--other-works 36]
                                [--authors 80] [--seed 1] [--now <ISO date|now>] [--no-null-pages]
                                [--faults <JSON FaultConfig>] [--day 1] [--works-per-day 20]`,
  {
    port: { type: 'string' },
    host: { type: 'string' },
    works: { type: 'string' },
    'other-works': { type: 'string' },
    authors: { type: 'string' },
    seed: { type: 'string' },
    now: { type: 'string' },
    'no-null-pages': { type: 'boolean' },
    faults: { type: 'string' },
    day: { type: 'string' },
    'works-per-day': { type: 'string' },
  },
);

let now: number | undefined;
if (args.now === 'now') now = Date.now();
else if (args.now !== undefined) {
  now = Date.parse(args.now);
  if (Number.isNaN(now)) fail(`--now must be an ISO date or "now", got ${JSON.stringify(args.now)}`);
}
const faults = parseFaults(args.faults);

const fake = await startFakeLiblib({
  port: int(args.port, 'port', 0),
  host: args.host ?? '127.0.0.1',
  works: int(args.works, 'works', 1200),
  otherWorks: int(args['other-works'], 'other-works', 36),
  authors: Math.max(1, int(args.authors, 'authors', 80)),
  seed: args.seed ?? 1,
  now,
  faults,
  nullPages: args['no-null-pages'] ? false : undefined,
});

const day = Math.max(1, int(args.day, 'day', 1));
for (let d = 2; d <= day; d++) fake.addWorks(int(args['works-per-day'], 'works-per-day', 20));

const first = fake.catalogue.newestFirst(TAG_AUTOMOTIVE)[0];
process.stdout.write(`${fake.origin}\n`);
process.stdout.write(
  [
    `# fake Liblib, day ${day}: ${fake.catalogue.works.length} works, ${fake.catalogue.deadImagePaths().length} dead image URLs`,
    `# list:   curl -s -X POST -H 'content-type: application/json' -d '{"tagId":${TAG_AUTOMOTIVE},"page":1,"pageSize":30,"sort":${SORT_LATEST}}' ${fake.urls.search}`,
    first ? `# detail: curl -s -X POST -H 'content-type: application/json' -d '{}' ${fake.urls.detail(first.uuid)}` : '',
    '',
  ].join('\n'),
);

stopOnSignals(fake);
