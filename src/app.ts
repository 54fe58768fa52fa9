import express from 'express';
import helmet from 'helmet';
import { loginThrottles } from './auth/login-throttle.js';
import type { AppDeps } from './deps.js';
import { API_BASE, API_ENDPOINTS } from './endpoints.js';
import { mountEndpoints } from './http/endpoint.js';
import { negotiateJson, requireUtf8 } from './http/content-negotiation.js';
import { errorHandler, notFoundHandler } from './http/problem.js';
import { requestLogging } from './http/request-logging.js';
import { tenantRateLimit } from './limits/tenant-rate-limit.js';
import { opsRouter } from './ops/routes.js';
import { securityEventContext } from './security-events/context.js';
import { recordDenial } from './security-events/denials.js';

/** The Express app, separate from listen() so tests drive it in-process. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Every API answer is Cache-Control: no-store, so no client or cache revalidates one: hashing each body for an
  // ETag would be wasted work.
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.config.trustProxy);
  app.use(requestLogging(deps.log));
  app.use(securityEventContext(deps.log));
  app.use(helmet());
  // Before the body parser, so its timer also counts the 400s and 413s the parser answers.
  app.use(opsRouter(deps));
  // Every API answer may carry personal data or tokens: no cache along the way may keep one (ASVS V8.2.1).
  app.use(API_BASE, (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  app.use(API_BASE, negotiateJson);
  // Before the body parser: a tenant over its quota costs one counter update, nothing more.
  app.use(API_BASE, tenantRateLimit(deps));
  app.use(express.json({ limit: deps.config.bodyLimit, type: ['application/json', 'application/*+json'], verify: requireUtf8 }));
  app.use(`${API_BASE}/auth/login`, ...loginThrottles(deps.config, deps.rateLimitStore));
  const api = express.Router();
  mountEndpoints(api, API_ENDPOINTS, deps);
  app.use(API_BASE, api);

  app.use(notFoundHandler);
  app.use(errorHandler(deps.log, (req, problem) => recordDenial(deps, req, problem)));
  return app;
}
