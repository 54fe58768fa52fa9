import express from 'express';
import type { AppDeps } from '../deps.js';
import { API_ENDPOINTS } from '../endpoints.js';
import { sendProblem } from '../http/problem.js';
import { docsRouter } from './docs.js';
import { healthz, readyz } from './health.js';
import { createHttpMetrics } from './metrics.js';
import { buildOpenApiDocument } from './openapi.js';
import { registerRuntimeMetrics } from './runtime-metrics.js';

/**
 * These paths serve GET (and HEAD) only. Another method is a 405 naming what they serve and OPTIONS a 204 with
 * Allow, as on every API path, rather than a 404 "no route" (and express's own 200 for OPTIONS).
 */
const OPS_PATHS = ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs/'] as const;
const OPS_ALLOW = 'GET, HEAD, OPTIONS';

const refuseOtherMethod: express.RequestHandler = (req, res) => sendProblem(res, {
  type: 'https://agentmitra.in/problems/405', title: 'Method not allowed', status: 405, code: 'request.method_not_allowed',
  detail: `${req.method} is not served here; use ${OPS_ALLOW}.`, instance: req.originalUrl,
}, { Allow: OPS_ALLOW });

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
  // Before the routes: express (and the docs' own router) would answer OPTIONS with a 200 of its own.
  for (const path of OPS_PATHS) router.options(path, (_req, res) => void res.status(204).set('Allow', OPS_ALLOW).end());
  router.get('/healthz', healthz);
  router.get('/readyz', readyz(deps.db, deps.log, deps.tokens));
  router.get('/metrics', metrics.expose);
  router.get('/openapi.json', (_req, res) => {
    openApi ??= buildOpenApiDocument(API_ENDPOINTS);
    res.json(openApi);
  });
  router.use(docsRouter());
  for (const path of OPS_PATHS) router.all(path, refuseOtherMethod);
  return router;
}
