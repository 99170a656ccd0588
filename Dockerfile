# Patchbay: API, chat bots and job workers. The same image runs the server (`npm start`) and
# scaled-out workers (`npm run worker`); see docker-compose.yml.
FROM node:24-slim

ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/.data \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

WORKDIR /app
RUN chown node:node /app
USER node

# Dependencies first, so source changes do not reinstall them. Node 24 runs the TypeScript
# sources directly (type stripping): no build step, and no dev dependencies in the image.
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY --chown=node:node . .
RUN mkdir -p "$DATA_DIR"

EXPOSE 3000

# Liveness only (the process answers); /readyz also checks the database and workers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# npm forwards SIGTERM to Patchbay, which drains in-flight requests and jobs before exiting.
CMD ["npm", "start"]
