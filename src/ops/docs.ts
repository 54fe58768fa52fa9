import express, { type RequestHandler } from 'express';
import swaggerUi, { type SwaggerUiOptions } from 'swagger-ui-express';
import { ROUTE_LABEL } from './metrics.js';

// helmet's app-wide CSP stays on everything else. Its upgrade-insecure-requests would send the page's assets to
// https:// when the service is reached over plain http by address (docker, LAN), and the UI styles inline.
const DOCS_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
  "font-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'",
].join('; ');

// Relative, so the page keeps working behind a proxy that mounts the service under a prefix.
const OPTIONS: SwaggerUiOptions = {
  customSiteTitle: 'Agent Mitra core API',
  swaggerUrl: '../openapi.json',
  swaggerOptions: { url: '../openapi.json', validatorUrl: null, persistAuthorization: true, displayRequestDuration: true },
};

/** Swagger UI at /docs/ reading /openapi.json. */
export function docsRouter(): express.Router {
  const router = express.Router();
  const relaxCsp: RequestHandler = (_req, res, next) => {
    res.setHeader('Content-Security-Policy', DOCS_CSP);
    res.locals[ROUTE_LABEL] = '/docs';
    next();
  };
  // The page loads its assets by relative URL, which only resolves under /docs/ (with the slash).
  const addSlash: RequestHandler = (req, res, next) => {
    const [pathname, query] = req.originalUrl.split('?');
    if (pathname?.endsWith('/docs')) return res.redirect(301, `docs/${query === undefined ? '' : `?${query}`}`);
    next();
  };
  // serveFiles (not serve) keeps this app's init script apart from any other app's in the same process.
  router.use('/docs', relaxCsp, addSlash, swaggerUi.serveFiles(undefined, OPTIONS));
  router.get('/docs', swaggerUi.setup(undefined, OPTIONS));
  return router;
}
