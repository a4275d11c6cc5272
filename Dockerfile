# Bastion's container image: docs/deployment.md explains how to run it, alone or with compose.yaml.
#
#   docker build -t bastion .
#   docker run --env-file .env.production -p 8000:8000 -v bastion-data:/app/data bastion
#
# The Node major matches the one CI tests (package.json engines, .github/workflows/ci.yml).
# Debian slim rather than Alpine: DuckDB's and argon2's prebuilt binaries are built for glibc.
ARG NODE_VERSION=20.20.2

# ---- build: the dev dependencies compile src/ to dist/; none of this stage ships ----
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No package the build needs runs an install script (esbuild's only checks its own binary,
# and tsc does not use it); skipping them also skips `prepare` (git hooks, no .git here).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies, the compiled code and the files read at run time ----
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# No production dependency has an install script (test/flows/container-files.test.ts checks
# the lock file), so none runs as root here; the cache is dropped to keep the layer small.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Read from disk at run time, relative to dist/: the SQL migrations, /static, and the
# guides /docs renders. scripts/launch.js is what `npm start` and `npm run cli` run.
COPY migrations ./migrations
COPY static ./static
COPY docs ./docs
COPY README.md ./
COPY scripts/launch.js ./scripts/launch.js

# The code stays root-owned and read-only to the server; only data/ is its to write
# (the DuckDB file, the CLI's control socket). The image's `node` user is uid 1000.
RUN mkdir -p /app/data && chown node:node /app/data
ENV DATA_DIR=/app/data
VOLUME ["/app/data"]
USER node

EXPOSE 8000
# The slim image has no curl: Node's own fetch asks /healthz, which answers 503 once the
# database stops taking writes. start-period covers migrations applied at start.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node itself as PID 1, not npm: SIGTERM from `docker stop` reaches the server, which drains
# requests for SHUTDOWN_TIMEOUT_MS and closes the database (the same as `npm start` here).
CMD ["node", "dist/main.js"]
