// On-demand pages (login, upload, 我的作品, artwork fall-through) learn who is viewing the same way API
// routes do; a slid session expiry is written back through the page's response headers.
import { getServerServices, type ServerServices } from '../start-up.ts';
import type { User } from '../../core/store/store.ts';
import { authenticateRequest } from './request-auth.ts';

export async function pageViewer(page: { request: Request; response: { headers: Headers } }): Promise<{ services: ServerServices; viewer: User | null }> {
  const services = await getServerServices();
  const auth = await authenticateRequest(services, page.request);
  for (const cookie of auth.setCookies) page.response.headers.append('Set-Cookie', cookie);
  page.response.headers.set('Cache-Control', 'private, no-store');
  return { services, viewer: auth.session?.user ?? null };
}

export function loginRedirect(pathname: string): string {
  return `/login?next=${encodeURIComponent(pathname)}`;
}
