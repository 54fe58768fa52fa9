import express from 'express';
import type { AppDeps } from '../deps.js';

/** Operational endpoints outside /api/v1: health, readiness, metrics, OpenAPI and docs. */
export function opsRouter(_deps: AppDeps): express.Router {
  return express.Router();
}
