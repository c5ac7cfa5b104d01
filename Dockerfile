# AI-HUB platform image: one image, three entry points (api, worker, migrate). See docs/deployment.md.
#
#   docker build -t aihub:local .
#   docker run ... aihub:local                                       -> api (default)
#   docker run ... aihub:local node dist/apps/worker/src/main.js     -> worker
#   docker run ... aihub:local node dist/apps/api/src/migrate.js     -> apply migrations, exit

# ---------------------------------------------------------------------------------------------------
# build: install everything, compile apps/libs/bench with swc into dist/, then drop dev dependencies.
# ---------------------------------------------------------------------------------------------------
FROM node:20-bookworm AS build
WORKDIR /app

# Dependencies first, so this layer is cached until package*.json change.
# `npm install`, not `npm ci`: lockfiles made on the project's build machines lack the optional
# packages of other platforms and `npm ci` rejects them; `npm install` still honours the lockfile.
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund

COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---------------------------------------------------------------------------------------------------
# runtime: slim Node, bubblewrap for sandbox runs, tini as PID 1, non-root user.
# ---------------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime

# bubblewrap: the sandbox driver (worker). tini: forwards signals for graceful shutdown and reaps
# orphaned children (bwrap leaves `[bwrap] <defunct>` zombies otherwise). ca-certificates: TLS to
# external PostgreSQL/S3 endpoints.
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# Fixed ids so volume ownership is predictable across rebuilds and hosts.
RUN groupadd --system --gid 10001 aihub \
 && useradd --system --uid 10001 --gid aihub --home-dir /var/lib/aihub --shell /usr/sbin/nologin aihub \
 && mkdir -p /var/lib/aihub \
 && chown aihub:aihub /var/lib/aihub \
 && chmod 0750 /var/lib/aihub

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/var/lib/aihub

WORKDIR /app
# Code and dependencies stay owned by root: the application user can read but not modify them.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

USER aihub
EXPOSE 3000

# Meaningful for the api only; compose disables it for the worker and migrate containers.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/v1/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/api/src/main.js"]
