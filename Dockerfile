# blastlab container image, named by the batch recipes (k8s/, aws-batch/).
#   docker build -t blastlab:0.1.0 .
#   docker run --rm -v "$PWD/results:/results" blastlab:0.1.0 run scenarios --out /results/run
# Stage 1 installs every dependency and compiles TypeScript; stage 2 is a slim Node 20 runtime with
# only what the package ships (package.json "files": dist/, profiles/, scenarios/, schema/) and its runtime
# dependencies, run as the unprivileged `node` user. test/docker/dockerfile.test.ts keeps this file in
# step with package.json (Node version, shipped files, bin).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the build runs below.
RUN npm ci --ignore-scripts
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY scenarios ./scenarios
COPY schema ./schema
COPY profiles ./profiles
RUN chmod +x dist/cli/main.js && ln -s /app/dist/cli/main.js /usr/local/bin/blastlab
# Results go to a mounted volume; the image itself stays read-only for the run.
USER node
ENTRYPOINT ["blastlab"]
CMD ["--help"]
