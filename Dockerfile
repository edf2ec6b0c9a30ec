# claimgraph API. With DATABASE_URL set (as docker-compose does) it never starts the embedded Postgres.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=dev
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY schema ./schema
USER node
EXPOSE 4000
CMD ["npm", "start"]
