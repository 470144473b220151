# The community server (src/server/serve.ts in front of the Astro app built in the Node adapter's middleware mode: sign-in, likes, favorites, uploads, publishing and the
# on-demand pages). The static site is not served from here: the daily run deploys it to the bucket a CDN
# serves (docs/operations.md). Build and run:
#   docker build -t huaku-server .
#   docker run -d --name huaku -p 4321:4321 --env-file .env.production huaku-server
# The container's health is GET /api/health (database reachable and migrated, blob store reachable).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# The server bundle needs no snapshot: the prerendered pages it also writes are the CDN's, not served here.
RUN ASTRO_TELEMETRY_DISABLED=1 npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4321
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# serve.ts and the configuration it parses (src/core/env.ts) run from source: Node 24 strips their types.
COPY --from=build --chown=node:node /app/src ./src
USER node
EXPOSE 4321
# No curl in the slim image: Node's fetch does the check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/api/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "src/server/serve.ts", "dist"]
