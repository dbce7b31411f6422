# so-connector: one image for every app; the first argument picks which (docker/entrypoint.sh):
#   docker build -t so-connector .
#   docker run --rm --env-file .env -p 3000:3000 so-connector receiver
#   docker run --rm --env-file .env so-connector worker
#   docker run --rm --env-file .env so-connector cli doctor
#   docker run --rm -p 4010:4010 so-connector simulator
# docker-compose.yml runs Redis, the receiver and scalable workers; see docs/deploy.md.
# scripts/docker-smoke.sh builds this image and runs the compose services and the demo from it.

# Pinned: bump deliberately (and consider pinning the digest, node:20.20.0-bookworm-slim@sha256:...).
ARG NODE_IMAGE=node:20.20.0-bookworm-slim

# ---------------------------------------------------------------------------------------------
# build: every dependency (dev tools included), compile TypeScript, then cut one self-contained
# production bundle per app with `pnpm deploy --prod`.
FROM ${NODE_IMAGE} AS build
# pnpm from npm, the version of package.json's packageManager (corepack is not reliable).
ARG PNPM_VERSION=10.34.8
RUN npm install -g pnpm@${PNPM_VERSION}
ENV CI=true
WORKDIR /src

# Dependencies first: this layer is rebuilt only when the lockfile changes. No dependency is
# compiled: pnpm runs install scripts only for onlyBuiltDependencies (@swc/core, a dev tool that
# ships prebuilt binaries); msgpackr-extract (via bullmq) loads its prebuilt binary or falls back
# to JavaScript, so the image needs no python, make or compiler.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch --store-dir /pnpm/store

COPY . .
RUN pnpm install --frozen-lockfile --offline --store-dir /pnpm/store

# Compile the four apps and the packages they use (`pkg...` = pkg and its dependencies).
RUN pnpm --filter "@so-connector/receiver..." --filter "@so-connector/worker..." \
      --filter "@so-connector/cli..." --filter "@so-connector/superoffice-simulator..." run build

# One production bundle per app in /out/<app>: its dist, its package.json and a node_modules with
# its production dependencies only, workspace packages copied in. pnpm 10's default deploy needs
# inject-workspace-packages=true, which would change how the whole workspace links its packages;
# --legacy deploys without it. The legacy deploy resolves the version ranges of the workspace
# packages it copies (their `catalog:` ranges) again, and that needs the registry's metadata,
# which `pnpm fetch` does not keep: so --prefer-offline, not --offline (which fails with
# ERR_PNPM_NO_OFFLINE_META in a clean build). It still installs the lockfile's versions:
# scripts/docker-smoke.sh checks every package in the built image against pnpm-lock.yaml.
# Then drop what the runtime never reads: sources, tests and build configs of our own packages,
# and TypeScript, which arrives only as valibot's optional peer (types; via @bull-board/api).
# Last, each app's entry file (the one docker/entrypoint.sh starts) must exist.
RUN for app in receiver worker cli superoffice-simulator; do \
      pnpm --filter "@so-connector/$app" --prod --prefer-offline deploy --legacy --store-dir /pnpm/store "/out/${app#superoffice-}" \
      || exit 1; \
    done \
 && for dir in /out/*/ /out/*/node_modules/.pnpm/@so-connector+*/node_modules/@so-connector/*/; do \
      rm -rf "${dir}src" "${dir}test" "${dir}.turbo" "${dir}"tsconfig*.json "${dir}eslint.config.mjs"; \
    done \
 && rm -rf /out/*/node_modules/.pnpm/typescript@* \
 && for app in receiver worker cli simulator; do test -f "/out/$app/dist/main.js" || exit 1; done

# ---------------------------------------------------------------------------------------------
# runtime: Node, the compiled apps and their production node_modules; no pnpm, no compiler, no
# sources. Files belong to root (read-only for the app); the app runs as the unprivileged `node`.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    SPOOL_DIR=/var/lib/so-connector/spool
WORKDIR /app

COPY --from=build /out/receiver/package.json /app/receiver/package.json
COPY --from=build /out/receiver/dist /app/receiver/dist
COPY --from=build /out/receiver/node_modules /app/receiver/node_modules
COPY --from=build /out/worker/package.json /app/worker/package.json
COPY --from=build /out/worker/dist /app/worker/dist
COPY --from=build /out/worker/node_modules /app/worker/node_modules
COPY --from=build /out/cli/package.json /app/cli/package.json
COPY --from=build /out/cli/dist /app/cli/dist
COPY --from=build /out/cli/node_modules /app/cli/node_modules
COPY --from=build /out/simulator/package.json /app/simulator/package.json
COPY --from=build /out/simulator/dist /app/simulator/dist
COPY --from=build /out/simulator/node_modules /app/simulator/node_modules
COPY docker/entrypoint.sh docker/healthcheck.cjs docker/demo.mjs /app/docker/

# The receiver's disk spool (mount a volume here: events wait in it while Redis is down). A new
# named volume takes this directory's owner, so `node` can write it.
RUN mkdir -p /var/lib/so-connector/spool && chown -R node:node /var/lib/so-connector

USER node
# receiver, worker metrics, simulator
EXPOSE 3000 9464 4010

# Probes the running app's /healthz with node (the slim image has no curl).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/app/docker/healthcheck.cjs"]

ENTRYPOINT ["sh", "/app/docker/entrypoint.sh"]
CMD ["receiver"]
