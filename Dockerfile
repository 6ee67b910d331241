# The wgfleet API image. Build: docker build -t wgfleet .
FROM node:20-bookworm-slim AS build
WORKDIR /app
# python3/make/g++ build ssh2's native crypto binding (approved in package.json's allowScripts).
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json .swcrc ./
COPY apps apps
COPY libs libs
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
USER node
EXPOSE 8080
CMD ["node", "dist/apps/api/src/main.js"]
