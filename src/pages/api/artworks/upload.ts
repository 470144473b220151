// POST /api/artworks/upload (multipart/form-data: one or more `file`s, cover first, and `meta`, a JSON
// object of the work's fields: title, prompt, negativePrompt, sampler, steps, cfgScale, width, height, seed,
// checkpoint, loras [{id, externalId, name, weight}], tags [], nsfwLevel; plain `title` and `prompt` fields
// are read too). A signed-in user's new draft: 201 {artwork_id, url, status: 'draft', page_url, artwork}.
// Every file (an image or an MP4/MOV/WebM video) is checked by its bytes and re-encoded or, for a video,
// copied without metadata (src/server/community/uploads.ts), the fields by
// src/server/community/artwork-input.ts; thumbnail jobs follow. Rate limited per user.
import type { APIRoute } from 'astro';
import { uploadArtwork } from '../../../server/community/actions.ts';
import { parseArtworkFields } from '../../../server/community/artwork-input.ts';
import { artworkPath, toArtworkItems } from '../../../server/community/artworks.ts';
import { InvalidInputError, UnsupportedFormatError } from '../../../core/errors.ts';
import { apiRoute, readLimitedBody } from '../../../server/http/route.ts';

export const prerender = false;

/** Room for the multipart framing and the text fields around the files. */
const MULTIPART_OVERHEAD = 256 * 1024;

function metaOf(form: FormData): Record<string, unknown> {
  const plain = Object.fromEntries(['title', 'prompt'].flatMap((key) => (typeof form.get(key) === 'string' ? [[key, form.get(key)]] : [])));
  const meta = form.get('meta');
  if (typeof meta !== 'string') return plain;
  try {
    const parsed: unknown = JSON.parse(meta);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return { ...plain, ...parsed };
  } catch {
    // Reported below.
  }
  throw new InvalidInputError('作品信息格式无效（字段 meta 须为 JSON 对象）', { code: 'invalid_input' });
}

export const POST: APIRoute = apiRoute({
  access: 'user',
  rateLimit: 'upload',
  async handler({ request, services, viewer }) {
    const type = request.headers.get('content-type') ?? '';
    if (!/^multipart\/form-data\b/i.test(type)) throw new UnsupportedFormatError('请以 multipart/form-data 上传文件（字段 file）', { code: 'unsupported_media_type' });
    // Each file is capped on its own by its kind (its bytes decide: src/server/community/uploads.ts). The
    // request as a whole may hold the largest file allowed (a video, with the default limits) plus one more
    // image's worth, so a full-size video fits next to a cover image while the body held in memory stays
    // near the one-file limit; with no bigger video limit that is twice the image limit, as before.
    const { upload } = services.config.community;
    const body = await readLimitedBody(request, Math.max(upload.maxBytes, services.config.video.maxBytes) + upload.maxBytes + MULTIPART_OVERHEAD);
    let form: FormData;
    try {
      form = await new Response(body, { headers: { 'content-type': type } }).formData();
    } catch {
      throw new InvalidInputError('无法解析上传的表单', { code: 'invalid_multipart' });
    }
    const files = form.getAll('file').filter((file): file is File => file instanceof Blob);
    if (files.length === 0) throw new InvalidInputError('请选择要上传的图片或视频（字段 file）', { code: 'missing_file' });
    const fields = parseArtworkFields(metaOf(form));
    const bytes = await Promise.all(files.map(async (file) => new Uint8Array(await file.arrayBuffer())));
    const { work, imageUrl } = await uploadArtwork(services, viewer, { files: bytes, fields });
    const [artwork] = await toArtworkItems(services, [work], viewer);
    return Response.json(
      { artwork_id: work.id, url: imageUrl, status: work.status, page_url: artworkPath(work), artwork },
      { status: 201 },
    );
  },
});
