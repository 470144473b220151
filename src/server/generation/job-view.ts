// What the API shows of a generation job: seed 001 §9.5's status shape exactly, and the full view
// (detail, my jobs, events). Never the token, the worker or the heartbeat.
import type { BlobStore } from '../../core/blob/blob-store.ts';
import type { GenerationJob } from '../../core/store/store.ts';

/** GET /api/v1/generate/{job_id}: exactly `{job_id, status, progress, result: {image_url}, log}`. */
export function statusView(job: GenerationJob, blobs: BlobStore) {
  const first = job.outputs[0];
  return {
    job_id: job.id,
    status: job.status,
    progress: job.progress,
    result: { image_url: first ? blobs.publicUrl(first.key) : null },
    log: job.log,
  };
}

export function detailView(job: GenerationJob, blobs: BlobStore) {
  return {
    job_id: job.id,
    status: job.status,
    progress: job.progress,
    task: job.task,
    provider: job.provider,
    requested_provider: job.requestedProvider,
    request: job.request,
    images: job.outputs.map((o, index) => ({ index, url: blobs.publicUrl(o.key), seed: o.seed, width: o.width, height: o.height })),
    error: job.errorKind ? { kind: job.errorKind, message: job.errorMessage ?? '' } : null,
    log: job.log,
    created_at: job.createdAt.toISOString(),
    started_at: job.startedAt?.toISOString() ?? null,
    finished_at: job.finishedAt?.toISOString() ?? null,
  };
}
