# The platform image: one program, its roles chosen by ROLES (see compose.yaml).

# The web console, built with the development dependencies the image leaves out.
FROM node:22-bookworm-slim AS console
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
COPY db/package.json db/
COPY protocol/package.json protocol/
COPY broker/package.json broker/
COPY cloud/package.json cloud/
COPY edge-agent/package.json edge-agent/
COPY firmware-tools/package.json firmware-tools/
COPY tests/package.json tests/
COPY web web
# The web workspace's prepare step builds web/dist.
RUN npm ci --no-audit --no-fund

FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
COPY db/package.json db/
COPY protocol/package.json protocol/
COPY broker/package.json broker/
COPY cloud/package.json cloud/
COPY edge-agent/package.json edge-agent/
COPY firmware-tools/package.json firmware-tools/
COPY tests/package.json tests/
COPY web/package.json web/prepare.js web/
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
COPY --from=console /app/web/dist web/dist
ENV NODE_ENV=production DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 1883 8080
USER node
CMD ["node", "--import", "tsx", "cloud/src/main.ts"]
