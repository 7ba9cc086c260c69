# Clientdesk image: Node 20 on Debian bookworm, runs the TypeScript sources with tsx (no build step) as `node`.
# Used by docker-compose.yml with PostgreSQL 17; nothing in the tests or CI depends on it.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000

WORKDIR /app
RUN chown node:node /app
USER node

# Dependencies first, for the layer cache. --ignore-scripts: nothing here needs an install script (see
# ../shared/design/PLATFORM.md), and Prisma's would try to download native engines the app does not use.
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

COPY --chown=node:node tsconfig.json prisma.config.ts ./
COPY --chown=node:node prisma ./prisma
COPY --chown=node:node scripts ./scripts
COPY --chown=node:node src ./src
COPY --chown=node:node views ./views
COPY --chown=node:node public ./public
# The Prisma client is generated, not committed; `npm start` generates it again (quickly) before it serves.
RUN npm run generate && mkdir -p data

EXPOSE 3000
# npm passes SIGTERM (docker stop) on to the server, which finishes its requests and closes the database pool.
CMD ["npm", "start"]
