import fs from 'node:fs';
import { ContractError } from '../../src/core/errors.ts';
import { parseJsonLossless } from '../http/lossless-json.ts';
import { INSPECTORS } from '../sources/inspectors.ts';
import { UsageError, type CommandRunner } from './command.ts';
import { INSPECT_MAX_BYTES } from './flag-values.ts';

export const inspectCommand: CommandRunner = {
  async run({ flags, out }) {
    const source = String(flags.source ?? 'liblib');
    const inspector = INSPECTORS[source];
    if (!inspector) throw new UsageError(`--source "${source}": expected one of ${Object.keys(INSPECTORS).join(', ')}`);
    const endpoint = String(flags.endpoint ?? '');
    if (!inspector.endpoints.includes(endpoint)) throw new UsageError(`--endpoint "${endpoint}": ${source} has ${inspector.endpoints.join(', ')}`);
    if (typeof flags.file !== 'string') throw new UsageError('--file is required: the path of a saved response body');
    const text = await readCapped(flags.file, INSPECT_MAX_BYTES);
    let payload: unknown;
    try {
      payload = parseJsonLossless(text);
    } catch (error) {
      out(`not JSON: ${(error as Error).message} (an HTML error page or a truncated body?)`);
      return 1;
    }
    try {
      const result = inspector.inspect(endpoint, payload);
      if ('refused' in result) {
        out(`the upstream refused: ${result.refused}`);
        return 1;
      }
      out(JSON.stringify(result.records, null, 2));
      return 0;
    } catch (error) {
      if (!(error instanceof ContractError)) throw error;
      out(`contract errors (${error.issues.length}) in ${error.source} ${error.endpoint}:`);
      for (const issue of error.issues) out(`  ${issue.path || '(root)'}: ${issue.message}`);
      return 1;
    }
  },
};

/**
 * The file's text, read as a stream that stops at `maxBytes`: a device or pipe that never ends
 * (`/dev/zero`) or a huge file is refused without being held in memory.
 */
async function readCapped(file: string, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  const stream = fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        throw new UsageError(
          `--file "${file}": larger than ${maxBytes / 1024 / 1024} MiB, stopped reading (a saved upstream response is far smaller: is it the right file?)`,
        );
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--file "${file}": cannot read it (${(error as Error).message})`);
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}
