# The hai-temporal worker (and CLI) as a small non-root image: built with the dev dependencies, shipped without them.
#   docker build -t hai-temporal .
#   docker run --rm -e TEMPORAL_ADDRESS=host:7233 -e HAI_API_KEY=hk-... hai-temporal            # a worker
#   docker run --rm -e TEMPORAL_ADDRESS=host:7233 hai-temporal doctor                            # any command
# Debian (glibc), not Alpine: Temporal's native worker bridge ships glibc builds.
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim
# Two malloc arenas instead of glibc's 8 per core: the worker's native threads otherwise keep hundreds of MB of
# freed memory in arenas of their own (BENCHMARKS.md, issue 13: 10,000 live sessions in 1.4 GB, not 1.8).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    HAI_TEMPORAL_METRICS_PORT=9464 \
    HAI_TEMPORAL_LOG_FORMAT=json
WORKDIR /app
# Only what runs: the build, the command, production dependencies. No sources, so bin/ runs dist/.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
USER node
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HAI_TEMPORAL_METRICS_PORT||9464)+'/metrics').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/hai-temporal.js"]
CMD ["worker"]
