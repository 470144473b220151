// POST /api/artworks/upload (multipart/form-data: file, title?, prompt?): a signed-in user's new draft.
// 201 {artwork_id, url, status: 'draft', page_url, artwork}. The file (an image or an MP4/MOV/WebM video)
// is checked by its bytes and re-encoded or, for a video, copied without metadata (src/server/community/uploads.ts); a thumbnail job follows. Rate limited per user.
import type { APIRoute } from 'astro';
import { z } from 'zod';
import { uploadArtwork } from '../../../server/community/actions.ts';
import { artworkPath, toArtworkItems } from '../../../server/community/artworks.ts';
import { InvalidInputError, UnsupportedFormatError } from '../../../core/errors.ts';
import { apiRoute, readLimitedBody } from '../../../server/http/route.ts';

export const prerender = false;

/** Room for the multipart framing and the text fields around the file. */
const MULTIPART_OVERHEAD = 256 * 1024;

const fields = z.object({
  title: z.string().trim().max(100, '标题最多 100 个字').optional(),
  prompt: z.string().trim().max(4000, '提示词最多 4000 个字').optional(),
});

export const POST: APIRoute = apiRoute({
  access: 'user',
  rateLimit: 'upload',
  async handler({ request, services, viewer }) {
    const type = request.headers.get('content-type') ?? '';
    if (!/^multipart\/form-data\b/i.test(type)) throw new UnsupportedFormatError('请以 multipart/form-data 上传文件（字段 file）', { code: 'unsupported_media_type' });
    // An image or a video: the file's bytes decide which limit applies (src/server/community/uploads.ts).
    const maxBytes = Math.max(services.config.community.upload.maxBytes, services.config.video.maxBytes);
    const body = await readLimitedBody(request, maxBytes + MULTIPART_OVERHEAD);
    let form: FormData;
    try {
      form = await new Response(body, { headers: { 'content-type': type } }).formData();
    } catch {
      throw new InvalidInputError('无法解析上传的表单', { code: 'invalid_multipart' });
    }
    const file = form.get('file');
    if (!(file instanceof Blob)) throw new InvalidInputError('请选择要上传的图片（字段 file）', { code: 'missing_file' });
    const text = fields.parse({ title: form.get('title') ?? undefined, prompt: form.get('prompt') ?? undefined });
    const { work, imageUrl } = await uploadArtwork(services, viewer, { file: new Uint8Array(await file.arrayBuffer()), ...text });
    const [artwork] = await toArtworkItems(services, [work], viewer);
    return Response.json(
      { artwork_id: work.id, url: imageUrl, status: work.status, page_url: artworkPath(work), artwork },
      { status: 201 },
    );
  },
});
