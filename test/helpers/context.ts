import type { Express } from 'express';
import supertest from 'supertest';
import { createApp } from '../../src/app.js';
import type { AppDeps } from '../../src/deps.js';

let deps: AppDeps | undefined;
let app: Express | undefined;

export function setTestDeps(value: AppDeps): void {
  deps = value;
  app = createApp(value);
}

/** The booted dependencies (database, config, registry) shared by the whole run. */
export function testDeps(): AppDeps {
  if (!deps) throw new Error('root hooks have not booted the app');
  return deps;
}

/** supertest against the in-process app. */
export function api() {
  if (!app) throw new Error('root hooks have not booted the app');
  return supertest(app);
}

export { SUPER_ADMIN } from './test-config.js';
export const API = '/api/v1';
