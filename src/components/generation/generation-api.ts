// The generation API as the pages call it (docs/generation.md): submit, follow (server-sent events, with
// polling when the stream breaks), cancel, rerun, my jobs, presets, save outputs as drafts. Errors are the
// ApiCallError of the community islands, turned into the §11 texts by src/site/generation/errors.ts.
import { callApi } from '../community/api.ts';
import type { SubmitBody } from '../../site/generation/export-json.ts';
import type { RequestBody } from '../../site/generation/form-values.ts';

export type JobStatus = 'queued' | 'running' | 'complete' | 'failed' | 'cancelled';

export interface JobImage {
  index: number;
  url: string;
  seed: number;
}

export interface JobView {
  job_id: string;
  status: JobStatus;
  progress: number;
  task: string;
  provider: string | null;
  request: RequestBody;
  images: JobImage[];
  requested_provider?: string | null;
  error: { kind: string; message: string } | null;
  log: string[];
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface SavedDrafts {
  artwork_id: number;
  page_url: string;
  artworks: Array<{ artwork_id: number; url: string; status: string; page_url: string }>;
}

/** A user's preset: a whole submit body (docs/generation.md). */
export interface SavedPreset {
  id: string | number;
  name: string;
  params: SubmitBody;
}

export const isFinal = (status: JobStatus) => status === 'complete' || status === 'failed' || status === 'cancelled';

export function submitJob(body: SubmitBody, options: { token?: string; provider?: string } = {}): Promise<{ job_id: string; status: 'queued' }> {
  const headers: Record<string, string> = {};
  if (options.token) headers['x-modelscope-token'] = options.token;
  return callApi('/api/v1/generate', { method: 'POST', json: options.provider ? { ...body, provider: options.provider } : body, headers });
}

export const jobDetail = (id: string) => callApi<JobView>(`/api/v1/generate/${encodeURIComponent(id)}/detail`);
export const cancelJob = (id: string) => callApi<JobView>(`/api/v1/generate/${encodeURIComponent(id)}/cancel`, { method: 'POST', json: {} });
export const rerunJob = (id: string, randomSeed = false) =>
  callApi<{ job_id: string; status: 'queued' }>(`/api/v1/generate/${encodeURIComponent(id)}/rerun`, { method: 'POST', json: { random_seed: randomSeed } });
export const myJobs = (cursor?: string) =>
  callApi<{ items: JobView[]; next_cursor: string | null }>(`/api/v1/generate?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
export const saveDrafts = (jobId: string, images?: number[]) =>
  callApi<SavedDrafts>('/api/artworks/generate', { method: 'POST', json: { job_id: jobId, ...(images ? { images } : {}) } });
export const publishArtwork = (id: number) => callApi(`/api/artworks/${id}/publish`, { method: 'POST', json: {} });
export interface ProviderInfo {
  providers: Array<{ kind: string; name: string; billed: boolean }>;
  quota_per_day: number;
}
export const providerInfo = () => callApi<ProviderInfo>('/api/v1/generate/providers');
export const listPresets = () => callApi<{ items: SavedPreset[] }>('/api/v1/generate/presets');
export const createPreset = (name: string, params: SavedPreset['params']) => callApi<SavedPreset>('/api/v1/generate/presets', { method: 'POST', json: { name, params } });
export const deletePreset = (id: string | number) => callApi(`/api/v1/generate/presets/${encodeURIComponent(String(id))}`, { method: 'DELETE', json: {} });

/**
 * Follow a job until it ends: the events stream first; if it breaks, poll the detail every `pollMs`.
 * Returns a stop function.
 */
export function watchJob(id: string, onUpdate: (job: JobView) => void, onError: (error: unknown) => void, pollMs = 1000): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let source: EventSource | undefined;
  const stop = () => {
    stopped = true;
    source?.close();
    clearTimeout(timer);
  };
  const deliver = (job: JobView) => {
    if (stopped) return;
    onUpdate(job);
    if (isFinal(job.status)) stop();
  };
  const poll = async () => {
    if (stopped) return;
    try {
      deliver(await jobDetail(id));
    } catch (error) {
      stop();
      onError(error);
      return;
    }
    if (!stopped) timer = setTimeout(poll, pollMs);
  };
  if (typeof EventSource === 'function') {
    source = new EventSource(`/api/v1/generate/${encodeURIComponent(id)}/events`);
    source.addEventListener('job', (event) => deliver(JSON.parse((event as MessageEvent<string>).data) as JobView));
    // EventSource would reconnect by itself after the server ends the stream: poll instead, which also
    // picks up the final state when the stream broke before it.
    source.onerror = () => {
      source?.close();
      if (!stopped) void poll();
    };
  } else void poll();
  return stop;
}
