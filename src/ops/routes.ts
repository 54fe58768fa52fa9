import express from 'express';
import type { AppDeps } from '../deps.js';
import { API_ENDPOINTS } from '../endpoints.js';
import { docsRouter } from './docs.js';
import { healthz, readyz } from './health.js';
import { createHttpMetrics } from './metrics.js';
import { buildOpenApiDocument } from './openapi.js';
import { registerRuntimeMetrics } from './runtime-metrics.js';

/**
 * Operational endpoints outside /api/v1: health, readiness, metrics, OpenAPI and docs. Mounted before the API,
 * so its request timer sees every request that gets this far.
 */
export function opsRouter(deps: AppDeps): express.Router {
  const router = express.Router();
  const metrics = createHttpMetrics();
  registerRuntimeMetrics(metrics.registry, deps);
  let openApi: Record<string, unknown> | undefined;

  router.use(metrics.timer);
  router.get('/healthz', healthz);
  router.get('/readyz', readyz(deps.db, deps.log, deps.tokens));
  router.get('/metrics', metrics.expose);
  router.get('/openapi.json', (_req, res) => {
    openApi ??= buildOpenApiDocument(API_ENDPOINTS);
    res.json(openApi);
  });
  router.use(docsRouter());
  return router;
}
