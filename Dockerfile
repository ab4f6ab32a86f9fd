# syntax=docker/dockerfile:1
# Firebreak's container image (README, "Production"): docker build -t firebreak:0.1.0 .
# The build stage compiles the TypeScript with every dependency installed; the runtime stage gets
# only the compiled code, the files Firebreak reads at run time and the production dependencies.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json main.ts ./
COPY src ./src
COPY commands ./commands
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    FIREBREAK_DATA_DIR=/var/lib/firebreak
WORKDIR /app
# A user of its own with a fixed numeric id, so that Kubernetes' runAsNonRoot can check it.
RUN groupadd --system --gid 10001 firebreak \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin firebreak \
 && mkdir -p /var/lib/firebreak && chown 10001:10001 /var/lib/firebreak
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY runbooks ./runbooks
COPY --from=build /app/dist ./dist
USER 10001:10001
EXPOSE 3000
# Slim images have no curl: Node asks /healthz itself (200 when Firebreak can serve).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
