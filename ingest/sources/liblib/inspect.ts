import { normalizeAuthor, normalizeComments, normalizeDetail, normalizeListPage, unwrapEnvelope } from './normalize.ts';
import type { SourceInspector } from '../source-inspector.ts';

/** `ingest inspect --source liblib`: every payload is the whole `{code, msg, data}` envelope. */
export const liblibInspector: SourceInspector = {
  endpoints: ['list', 'detail', 'author', 'comments'],
  inspect(endpoint, payload) {
    const envelope = unwrapEnvelope(payload, endpoint);
    if (!envelope.ok) return { refused: `code ${envelope.code}: ${envelope.message}` };
    switch (endpoint) {
      case 'list':
        return { records: normalizeListPage(envelope.data) };
      case 'detail':
        return { records: normalizeDetail(envelope.data, null) };
      case 'author':
        return { records: normalizeAuthor(envelope.data, '(from file)') };
      default:
        return { records: normalizeComments(envelope.data) };
    }
  },
};
