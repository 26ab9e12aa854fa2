# One image for the four services and the operations console; the command picks which:
#   docker build -t county-commerce .
#   docker run county-commerce node dist/apps/orders/src/main.js      (catalog|orders|fulfillment|payouts|ops)
#   docker run county-commerce node dist/scripts/migrate.js orders    (migrations as a separate step)
# docker-compose.yml and deploy/k8s/ run it this way; both probe GET /health themselves, so the
# image has no HEALTHCHECK.

# ---- build: all dependencies, compile TypeScript, then drop the dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
# the lock file alone first, so a source change does not reinstall node_modules
COPY package.json package-lock.json ./
# patches/: fixes to dependencies that patch-package applies on install (patches/README.md)
COPY patches patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY libs libs
COPY apps apps
COPY scripts scripts
# tsc + tsc-alias (package.json "build") rewrite the @cc/* paths to relative ones, so the
# output runs on plain node without tsconfig-paths
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -f dist/.tsbuildinfo

# ---- runtime: node, the production dependencies and dist/ only ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# owned by root and only readable by the service user: the process cannot change its own code
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# the image's "node" user, by number so Kubernetes' runAsNonRoot can verify it
USER 1000:1000
EXPOSE 3000 3001 3002 3003 3004
# node runs as PID 1 on purpose: the services handle SIGTERM themselves (Nest shutdown hooks
# stop the Kafka consumer, BullMQ workers and outbox relay before the pools close).
# No default service: say which one (see the top of this file).
CMD ["node", "-e", "console.error('county-commerce: choose a service, e.g. node dist/apps/orders/src/main.js (catalog|orders|fulfillment|payouts)'); process.exit(64)"]
