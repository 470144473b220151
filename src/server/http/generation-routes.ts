// The generation API (docs/generation.md): every route file under src/pages/api/v1/generate/ and
// src/pages/api/artworks/generate.ts only binds one of these. Signed-in users only; a job is its owner's
// alone (anyone else gets 404). Submitting counts against RATE_LIMIT_GENERATE and the daily quota.
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.ts';
import type { User } from '../../core/store/store.ts';
import { createDraft } from '../community/actions.ts';
import { artworkPath } from '../community/artworks.ts';
import { pageQuery } from '../community/page-query.ts';
import { parseSubmitBody, rerunBodySchema, submitBodySchema } from '../generation/api-request.ts';
import { GenerationService } from '../generation/generation-service.ts';
import { detailView, statusView } from '../generation/job-view.ts';
import type { ServerServices } from '../start-up.ts';
import { ApiError } from './api-error.ts';
import { apiRoute, readJson } from './route.ts';

/** Room for a hostile 1 MB prompt to reach the schema and be refused with a 400 that names the field. */
const GENERATE_MAX_BODY = 2 * 1024 * 1024;
const TOKEN_HEADER = 'x-modelscope-token';
const EVENTS_POLL_MS = 1000;

const jobParams = z.object({ job_id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/) });
const presetParams = z.object({ id: z.string().regex(/^\d{1,15}$/).transform(Number) });

/** A token pasted for this request only: handed to the job in memory, never stored or logged. */
function pastedToken(request: Request): string | undefined {
  const value = request.headers.get(TOKEN_HEADER)?.trim();
  if (!value) return undefined;
  if (value.length > 512 || /[\s\0]/.test(value)) throw new ApiError(400, 'invalid_token', `${TOKEN_HEADER} 不是有效的令牌`);
  return value;
}

const queued = (job: { id: string }) => Response.json({ job_id: job.id, status: 'queued' }, { status: 202 });

export const submitRoute = apiRoute({
  access: 'user',
  rateLimit: 'generate',
  async handler({ request, services, viewer }) {
    const body = await readJson(request, z.unknown(), { maxBytes: GENERATE_MAX_BODY });
    const { request: generation, provider } = parseSubmitBody(body);
    const job = await services.generation.submit(viewer, generation, { provider, apiToken: pastedToken(request) });
    return queued(job);
  },
});

export const listRoute = apiRoute({
  access: 'user',
  async handler({ url, services, viewer }) {
    const { cursor, limit } = pageQuery.parse(Object.fromEntries(url.searchParams));
    const page = await services.generation.list(viewer, limit, cursor);
    return { items: page.items.map((job) => detailView(job, services.blobs)), next_cursor: page.nextCursor };
  },
});

export const providersRoute = apiRoute({
  access: 'user',
  async handler({ services }) {
    return services.generation.providerInfo();
  },
});

export const statusRoute = apiRoute({
  access: 'user',
  params: jobParams,
  async handler({ params, services, viewer }) {
    return statusView(await services.generation.owned(viewer, params.job_id), services.blobs);
  },
});

export const detailRoute = apiRoute({
  access: 'user',
  params: jobParams,
  async handler({ params, services, viewer }) {
    return detailView(await services.generation.owned(viewer, params.job_id), services.blobs);
  },
});

export const cancelRoute = apiRoute({
  access: 'user',
  params: jobParams,
  rateLimit: 'write',
  async handler({ params, services, viewer }) {
    return detailView(await services.generation.cancel(viewer, params.job_id), services.blobs);
  },
});

export const rerunRoute = apiRoute({
  access: 'user',
  params: jobParams,
  rateLimit: 'generate',
  async handler({ request, params, services, viewer }) {
    const body = await readJson(request, rerunBodySchema);
    const job = await services.generation.rerun(viewer, params.job_id, { randomSeed: body.random_seed ?? false, apiToken: pastedToken(request) });
    return queued(job);
  },
});

/** Server-sent events: `event: job` with the job view now and on every change, until it is final. */
export const eventsRoute = apiRoute({
  access: 'user',
  params: jobParams,
  async handler({ request, params, services, viewer }) {
    const first = await services.generation.owned(viewer, params.job_id);
    return new Response(jobEvents(services, viewer, first.id, request.signal), {
      headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' },
    });
  },
});

function jobEvents(services: ServerServices, viewer: User, jobId: string, signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    async start(controller) {
      let last = '';
      try {
        while (!signal.aborted) {
          const job = await services.generation.owned(viewer, jobId);
          const view = JSON.stringify(detailView(job, services.blobs));
          if (view !== last) {
            controller.enqueue(encoder.encode(`event: job\ndata: ${view}\n\n`));
            last = view;
          }
          if (GenerationService.isFinal(job)) break;
          await services.generation.waitForChange(jobId, EVENTS_POLL_MS, signal);
        }
      } catch (error) {
        if (!(error instanceof NotFoundError)) services.log.warn({ err: error, job: jobId }, 'generation events stream failed');
      }
      try {
        controller.close();
      } catch {
        // the client went away and the stream is already cancelled
      }
    },
  });
}

// ── Presets ─────────────────────────────────────────────────────────────────────────────────────

/** A preset holds a submit body (§9.5 shape), checked as a submission would be. */
const presetName = z.string().trim().min(1).max(100, '预设名最多 100 个字');
const presetBody = z
  .object({ name: presetName, params: submitBodySchema })
  .strict()
  .superRefine((body, context) => {
    try {
      parseSubmitBody(body.params);
    } catch (error) {
      context.addIssue({ code: 'custom', path: ['params'], message: error instanceof Error ? error.message : String(error) });
    }
  });
const presetPatch = z.object({ name: presetName.optional(), params: submitBodySchema.optional() }).strict();

const presetView = (p: { id: number; name: string; params: unknown; createdAt: Date; updatedAt: Date }) => ({
  id: p.id, name: p.name, params: p.params, created_at: p.createdAt.toISOString(), updated_at: p.updatedAt.toISOString(),
});
const presetNotFound = () => new NotFoundError('预设不存在', { code: 'not_found' });
const duplicateName = () => new ApiError(409, 'duplicate_name', '已有同名预设，请换一个名字');

async function unlessDuplicate<T>(services: ServerServices, userId: number, name: string | undefined, exceptId: number | null, write: () => Promise<T>): Promise<T> {
  if (name !== undefined && (await services.store.generationPresets.listByUser(userId)).some((p) => p.name === name && p.id !== exceptId)) throw duplicateName();
  return write();
}

export const presetListRoute = apiRoute({
  access: 'user',
  async handler({ services, viewer }) {
    return { items: (await services.store.generationPresets.listByUser(viewer.id)).map(presetView) };
  },
});

export const presetCreateRoute = apiRoute({
  access: 'user',
  rateLimit: 'write',
  async handler({ request, services, viewer }) {
    const body = await readJson(request, presetBody);
    const preset = await unlessDuplicate(services, viewer.id, body.name, null, () =>
      services.store.generationPresets.create({ userId: viewer.id, name: body.name, params: body.params }),
    );
    return Response.json(presetView(preset), { status: 201 });
  },
});

export const presetUpdateRoute = apiRoute({
  access: 'user',
  params: presetParams,
  rateLimit: 'write',
  async handler({ request, params, services, viewer }) {
    const body = await readJson(request, presetPatch);
    if (body.params) parseSubmitBody(body.params);
    if (!(await services.store.generationPresets.get(viewer.id, params.id))) throw presetNotFound();
    const preset = await unlessDuplicate(services, viewer.id, body.name, params.id, () =>
      services.store.generationPresets.update(viewer.id, params.id, body),
    );
    if (!preset) throw presetNotFound();
    return presetView(preset);
  },
});

export const presetDeleteRoute = apiRoute({
  access: 'user',
  params: presetParams,
  rateLimit: 'write',
  async handler({ params, services, viewer }) {
    if (!(await services.store.generationPresets.delete(viewer.id, params.id))) throw presetNotFound();
    return { deleted: true };
  },
});

// ── Generated images → draft artworks (seed 002 POST /api/artworks/generate) ────────────────────

const draftBody = z
  .object({
    job_id: jobParams.shape.job_id,
    images: z.array(z.number().int().min(0).max(63)).min(1).max(16).optional(),
    title: z.string().trim().min(1).max(100, '标题最多 100 个字').optional(),
  })
  .strict();

export const draftsRoute = apiRoute({
  access: 'user',
  rateLimit: 'upload',
  async handler({ request, services, viewer }) {
    const body = await readJson(request, draftBody);
    const sources = await services.generation.draftSources(viewer, body.job_id, body.images, body.title);
    const artworks = [];
    for (const source of sources) {
      const { request: recipe, output } = source;
      const { work } = await createDraft(services, viewer, {
        externalId: source.externalId,
        title: source.title,
        recipe: {
          prompt: recipe.prompt,
          negativePrompt: recipe.negativePrompt || null,
          sampler: recipe.sampler,
          steps: recipe.steps,
          cfgScale: recipe.cfgScale,
          seed: String(output.seed),
        },
        images: [{ blobKey: output.key, width: output.width, height: output.height, format: 'png', contentHash: output.sha256, sizeBytes: output.sizeBytes }],
        models: source.models,
      });
      const url = services.blobs.publicUrl(output.key);
      artworks.push({ artwork_id: work.id, url, status: work.status, page_url: artworkPath(work), image: source.index });
    }
    const [first] = artworks;
    return Response.json({ ...first, artworks }, { status: 201 });
  },
});
