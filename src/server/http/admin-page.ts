// The admin pages' gate: signed in with the admin role, or nothing. Anonymous visitors get 404 (the page
// is not advertised), signed-in users without the role 403. Statuses are chosen here, not in the page.
import type { User } from '../../core/store/store.ts';
import type { ServerServices } from '../start-up.ts';
import { pageViewer } from './page-auth.ts';

export type AdminAccess =
  | { status: 200; services: ServerServices; viewer: User }
  | { status: 403 | 404; services: ServerServices; viewer: User | null };

export async function adminPage(page: { request: Request; response: { headers: Headers; status?: number } }): Promise<AdminAccess> {
  const { services, viewer } = await pageViewer(page);
  const access: AdminAccess = !viewer ? { status: 404, services, viewer } : viewer.role !== 'admin' ? { status: 403, services, viewer } : { status: 200, services, viewer };
  page.response.status = access.status;
  return access;
}
