// /upload-catalogue.json (prerendered): the models the upload form offers to pick, from the site's own
// catalogue (the snapshot's LoRAs and the checkpoints its works used, buildCatalogue as /generate uses it).
// Fetched by the form when it opens, so the on-demand /upload page carries no snapshot data.
import type { APIRoute } from 'astro';
import { newestWorks, topLoras } from '../data/collections.ts';
import { buildCatalogue } from '../site/generation/catalogue.ts';
import type { UploadCatalogue } from '../site/upload-form.ts';

export const GET: APIRoute = async () => {
  const { loras, checkpoints } = buildCatalogue(await topLoras(), await newestWorks());
  const body: UploadCatalogue = {
    loras: loras.map(({ id, name, externalId }) => ({ id, name, externalId })),
    checkpoints: checkpoints.map((c) => c.name),
  };
  return new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
};
