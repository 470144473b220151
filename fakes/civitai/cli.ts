// Starts the fake Civitai for manual use:
//   node fakes/civitai/cli.ts [--port 0] [--host 127.0.0.1] [--seed 1] [--models 8] [--creators 10]
//                             [--api-key KEY …] [--require-key] [--faults '{"list":{"rate5xx":0.1}}']
// Prints the base URL (for CIVITAI_API_BASE) on the first line of stdout. Ctrl-C stops it.
import { fakeCli, stopOnSignals } from '../shared/cli.ts';
import { startFakeCivitai } from './server.ts';

const cli = fakeCli(
  'usage: node fakes/civitai/cli.ts [--port 0] [--host 127.0.0.1] [--seed 1] [--models 8] [--creators 10] [--api-key KEY …] [--require-key] [--faults JSON]',
  {
    port: { type: 'string' }, host: { type: 'string' }, seed: { type: 'string' }, models: { type: 'string' }, creators: { type: 'string' },
    'api-key': { type: 'string', multiple: true }, 'require-key': { type: 'boolean' }, faults: { type: 'string' },
  },
);
const args = cli.values;
const keys = args['api-key'] ?? [];
const fake = await startFakeCivitai({
  port: cli.int(args.port, 'port', 0),
  host: args.host ?? '127.0.0.1',
  seed: args.seed ?? 1,
  models: cli.int(args.models, 'models', 8),
  creators: cli.int(args.creators, 'creators', 10),
  faults: cli.faults(args.faults),
  auth: keys.length > 0 || args['require-key'] ? { keys, required: args['require-key'] === true } : undefined,
});
const model = fake.catalogue.models[0];
process.stdout.write(
  [
    fake.origin,
    `# fake Civitai: ${fake.catalogue.models.length} models, ${fake.catalogue.images.length} images, ${fake.catalogue.creators.length} creators`,
    `# models: ${fake.catalogue.models.map((m) => `${m.id} (${m.type}, versions ${m.versions.map((v) => v.id).join('/')})`).join(', ')}`,
    `# creators: ${fake.catalogue.creators.slice(0, 8).map((c) => c.username).join(', ')}`,
    model ? `# images: curl -s '${fake.origin}/api/v1/images?modelId=${model.id}&limit=3&withMeta=true'` : '',
    '',
  ].join('\n'),
);
stopOnSignals(fake);
