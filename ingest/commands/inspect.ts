import fs from 'node:fs';
import { ContractError } from '../../src/lib/errors.ts';
import { parseJsonLossless } from '../http/lossless-json.ts';
import { normalizeAuthor, normalizeComments, normalizeDetail, normalizeListPage, unwrapEnvelope } from '../sources/liblib/normalize.ts';
import { UsageError, type Command } from './command.ts';

const ENDPOINTS = {
  list: (data: unknown) => normalizeListPage(data),
  detail: (data: unknown) => normalizeDetail(data, null),
  author: (data: unknown) => normalizeAuthor(data, '(from file)'),
  comments: (data: unknown) => normalizeComments(data),
} as const;

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'validate and normalize one recorded upstream response; print the records, or the contract errors with their JSON paths',
  usage: 'npm run ingest -- inspect --source liblib --endpoint list|detail|author|comments --file response.json',
  options: {
    source: { type: 'string', description: 'upstream the response came from', default: 'liblib' },
    endpoint: { type: 'string', description: 'list, detail, author or comments' },
    file: { type: 'string', description: 'the saved response body (the whole {code, msg, data} envelope)' },
  },
  async run({ flags, out }) {
    if ((flags.source ?? 'liblib') !== 'liblib') throw new UsageError(`--source "${String(flags.source)}": only liblib can be inspected yet`);
    const endpoint = String(flags.endpoint ?? '');
    if (!(endpoint in ENDPOINTS)) throw new UsageError(`--endpoint "${endpoint}": expected one of ${Object.keys(ENDPOINTS).join(', ')}`);
    if (typeof flags.file !== 'string') throw new UsageError('--file is required: the path of a saved response body');
    let text: string;
    try {
      text = fs.readFileSync(flags.file, 'utf8');
    } catch (error) {
      throw new UsageError(`--file "${flags.file}": cannot read it (${(error as Error).message})`);
    }
    let payload: unknown;
    try {
      payload = parseJsonLossless(text);
    } catch (error) {
      out(`not JSON: ${(error as Error).message} (an HTML error page or a truncated body?)`);
      return 1;
    }
    try {
      const envelope = unwrapEnvelope(payload, endpoint);
      if (!envelope.ok) {
        out(`the upstream refused: code ${envelope.code}: ${envelope.message}`);
        return 1;
      }
      out(JSON.stringify(ENDPOINTS[endpoint as keyof typeof ENDPOINTS](envelope.data), null, 2));
      return 0;
    } catch (error) {
      if (!(error instanceof ContractError)) throw error;
      out(`contract errors (${error.issues.length}) in ${error.source} ${error.endpoint}:`);
      for (const issue of error.issues) out(`  ${issue.path || '(root)'}: ${issue.message}`);
      return 1;
    }
  },
};
