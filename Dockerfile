# claimgraph API. With DATABASE_URL set (as docker-compose does) it never starts the embedded Postgres.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# argon2 is compiled at install (its prebuilt binary crashes on some hosts): it needs a toolchain
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
 && npm ci --no-audit --no-fund --omit=dev \
 && apt-get purge -y python3 make g++ && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY schema ./schema
# npm start compiles first (its prestart); here that happens once, in the image, as root, and the
# container runs the compiled server without rebuilding it (the node user cannot write /app)
RUN npm run build
USER node
EXPOSE 4000
# node itself is PID 1 (not npm and a shell), so `docker stop`'s SIGTERM reaches the server, which
# drains and exits (src/http/shutdown.ts); the flags are those of package.json's start script
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=100", "dist/src/main.js"]
