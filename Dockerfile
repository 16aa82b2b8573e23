# The platform image: one program, its roles chosen by ROLES (see compose.yaml).
FROM node:22-bookworm-slim
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
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV NODE_ENV=production DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 1883 8080
USER node
CMD ["node", "--import", "tsx", "cloud/src/main.ts"]
