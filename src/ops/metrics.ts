import type { Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { API_BASE } from '../endpoints.js';

/** Set by a middleware that serves a whole subtree (e.g. /docs assets) to name it in the route label. */
export const ROUTE_LABEL = 'metrics_route';

export interface HttpMetrics {
  readonly registry: Registry;
  /** App-wide: times every request that reaches it and records it when the response has been sent. */
  readonly timer: RequestHandler;
  readonly expose: RequestHandler;
}

/** A registry per app (not prom-client's global one), so several apps in one process keep separate counts. */
export function createHttpMetrics(): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const byTenant = new Counter({
    name: 'http_requests_by_tenant_total', help: 'API requests per tenant (those with a tenant access token)',
    labelNames: ['tenant', 'status'] as const, registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds', help: 'Time from the request reaching the app to the last byte of the response',
    labelNames, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
  });

  const timer: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const labels = { method: req.method, route: routeTemplate(req, res), status: String(res.statusCode) };
      requests.inc(labels);
      const tenant = (res.locals.tenant as { tenant_code?: string } | undefined)?.tenant_code;
      if (tenant) byTenant.inc({ tenant, status: labels.status });
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };

  const expose: RequestHandler = async (_req, res) => {
    res.set('Content-Type', registry.contentType).set('Cache-Control', 'no-store').send(await registry.metrics());
  };

  return { registry, timer, expose };
}

/**
 * The route template, never the raw URL (ids would explode the label set). When a handler fails, Express has
 * already left the API router by the time the response is sent, so req.baseUrl is empty again while req.route
 * still names the matched route; the base is then recovered from the URL.
 */
function routeTemplate(req: Request, res: Response): string {
  const named = res.locals[ROUTE_LABEL];
  if (typeof named === 'string') return named;
  const routePath: unknown = req.route?.path;
  if (typeof routePath !== 'string') return 'unmatched';
  const underApi = req.originalUrl === API_BASE || req.originalUrl.startsWith(`${API_BASE}/`);
  const base = req.baseUrl || (underApi ? API_BASE : '');
  return `${base}${routePath}`;
}
