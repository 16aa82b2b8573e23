# The platform image: one program, its roles chosen by ROLES (see compose.yaml).
# The first stage installs everything and builds (npm run build: tsc, every workspace to dist/); the
# image holds a production install (no dev dependencies) and runs the built JavaScript with node alone.
FROM node:22-bookworm-slim AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
COPY db/package.json db/
COPY protocol/package.json protocol/
COPY broker/package.json broker/
COPY cloud/package.json cloud/
COPY edge-agent/package.json edge-agent/
COPY sdk/package.json sdk/
COPY firmware-tools/package.json firmware-tools/
COPY tests/package.json tests/
COPY web/package.json web/prepare.js web/

FROM manifests AS build
# The web workspace's prepare step builds the console (web/dist) during the install.
COPY web web
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM manifests
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/protocol/dist protocol/dist
COPY --from=build /app/db/dist db/dist
COPY --from=build /app/broker/dist broker/dist
COPY --from=build /app/cloud/dist cloud/dist
COPY --from=build /app/edge-agent/dist edge-agent/dist
COPY --from=build /app/sdk/dist sdk/dist
COPY --from=build /app/firmware-tools/dist firmware-tools/dist
# Read at start-up: the migrations are applied from here (db/dist/migrate.js finds them beside it).
COPY db/migrations db/migrations
# The console, built by the web workspace's prepare step in the build stage.
COPY --from=build /app/web/dist web/dist
ENV NODE_ENV=production DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 1883 8080
USER node
CMD ["node", "cloud/dist/main.js"]
