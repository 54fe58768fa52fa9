import fs from 'node:fs';
import { URL } from 'node:url';

const manifest = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const devOnly = new Set(Object.keys(manifest.devDependencies ?? {}));

/** The package a bare specifier names: `@scope/name` or `name`; undefined for relative, absolute and node: ones. */
function packageName(specifier) {
  if (/^(\.|\/|node:|file:|data:)/.test(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export async function resolve(specifier, context, nextResolve) {
  const name = packageName(specifier);
  if (name && devOnly.has(name)) {
    throw new Error(`the production build imported the development dependency ${specifier} (from ${context.parentURL})`);
  }
  return nextResolve(specifier, context);
}
