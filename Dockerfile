# syntax=docker/dockerfile:1
# forkcast: API and workers in one image. `node dist/main-server.js` (default) serves the API,
# `node dist/main-worker.js` runs workers only.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
# The PNG charts draw their text with DejaVu Sans.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --chown=node:node package.json package-lock.json ./
COPY --from=production-deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# The API offers these as example scenarios (GET /v1/presets).
COPY --chown=node:node examples ./examples
# The page at GET /.
COPY --chown=node:node web ./web
USER node
EXPOSE 3000
# Liveness only: /livez answers without asking Redis. Worker containers have no HTTP server and
# turn this off (see docker-compose.yml).
HEALTHCHECK --interval=15s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main-server.js"]
