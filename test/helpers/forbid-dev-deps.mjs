// node --import ./test/helpers/forbid-dev-deps.mjs dist/server.js: any import of a devDependency (tsx, typescript,
// pino-pretty, ...) fails loudly, proving the production build runs on production dependencies alone.
import { register } from 'node:module';

register('./forbid-dev-deps-hooks.mjs', import.meta.url);
