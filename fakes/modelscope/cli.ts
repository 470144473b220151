// Starts the fake ModelScope for manual use:
//   node fakes/modelscope/cli.ts [--port 0] [--models 80] [--seed 1] [--auth required] [--token T]
//                                [--slow-api MS] [--slow-images MS] [--faults '{"list":{"rate5xx":0.2}}']
// Prints the base URL on the first line of stdout (point MODELSCOPE_API_BASE at it). Ctrl-C stops it.
import { fakeCli, stopOnSignals } from '../shared/cli.ts';
import { startFakeModelScope } from './server.ts';

const { values: args, fail, int, faults } = fakeCli(
  `usage: node fakes/modelscope/cli.ts [--port 0] [--host 127.0.0.1] [--models 80] [--seed 1]
                                    [--auth anonymous|required] [--token TOKEN]
                                    [--slow-api MS] [--slow-images MS] [--faults <JSON FaultConfig>]`,
  {
    port: { type: 'string' }, host: { type: 'string' }, models: { type: 'string' }, seed: { type: 'string' },
    auth: { type: 'string' }, token: { type: 'string' }, 'slow-api': { type: 'string' }, 'slow-images': { type: 'string' },
    faults: { type: 'string' },
  },
);
if (args.auth !== undefined && args.auth !== 'anonymous' && args.auth !== 'required') fail('--auth must be anonymous or required');

const fake = await startFakeModelScope({
  port: int(args.port, 'port', 0),
  host: args.host ?? '127.0.0.1',
  models: int(args.models, 'models', 80),
  seed: args.seed ?? 1,
  auth: args.auth as 'anonymous' | 'required' | undefined,
  token: args.token,
  slow: { api: int(args['slow-api'], 'slow-api', 0), images: int(args['slow-images'], 'slow-images', 0) },
  faults: faults(args.faults),
});
const loras = fake.catalogue.models.filter((m) => m.isLora).length;
process.stdout.write(`${fake.origin}\n`);
process.stdout.write(
  [
    `# fake ModelScope: ${fake.catalogue.models.length} models (${loras} LoRAs), auth ${args.auth ?? 'anonymous'}${args.auth === 'required' ? ` (token ${fake.token})` : ''}`,
    `# catalogue: curl -s -X PUT -H 'content-type: application/json' -d '{"PageSize":5,"PageNumber":1,"SortBy":"DownloadsCount","Criterion":[{"category":"tags","predicate":"contains","values":["lora"]}]}' ${fake.modelsUrl}`,
    `# ingest:    MODELSCOPE_API_BASE=${fake.apiBaseUrl} node ingest/cli.ts toploras --task text-to-image-synthesis --force-refresh`,
    '',
  ].join('\n'),
);
stopOnSignals(fake);
