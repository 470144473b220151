// The production server: Astro's built Node handler (`dist/server/entry.mjs`: static files, then the
// on-demand routes) inside our own node:http server, which gives every response the security headers
// before the adapter writes it. Static files never reach Astro's middleware, so this is where they get
// them; on-demand responses set their own (stricter, page-specific) CSP, which takes precedence.
//   node src/server/serve.ts [dist/server/entry.mjs]      (HOST, PORT and the rest from the environment)
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig, type Config } from '../core/env.ts';
import { DOCUMENT_CSP, securityHeaderOptions, securityHeaderValues, type SecurityHeaderOptions } from './http/security-headers.ts';

type NodeHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Set the security headers on the response first: whatever the handler writes itself wins over them. */
export function withSecurityHeaders(handler: NodeHandler, options: SecurityHeaderOptions): NodeHandler {
  const values: Array<[string, string]> = [...securityHeaderValues(options), ['Content-Security-Policy', DOCUMENT_CSP]];
  return (req, res) => {
    for (const [name, value] of values) res.setHeader(name, value);
    handler(req, res);
  };
}

export async function serveBuilt(entry: string, config: Config): Promise<http.Server> {
  // The adapter starts a server of its own when its entry is imported, unless told not to.
  process.env.ASTRO_NODE_AUTOSTART = 'disabled';
  const { handler } = (await import(pathToFileURL(path.resolve(entry)).href)) as { handler: NodeHandler };
  const server = http.createServer(withSecurityHeaders(handler, securityHeaderOptions(config)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, () => resolve());
  });
  return server;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const entry = process.argv[2] ?? path.join(fileURLToPath(new URL('../../', import.meta.url)), 'dist/server/entry.mjs');
  const config = loadConfig();
  const server = await serveBuilt(entry, config);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  console.log(`Server listening on http://${config.server.host}:${port}/`);
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
