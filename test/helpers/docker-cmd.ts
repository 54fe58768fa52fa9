import fs from 'node:fs';

/**
 * docker/Dockerfile's CMD, `["node", <flags>, "dist/server.js"]`: the one place production's node flags are written
 * (the production-build test starts the build with them, the bench runs the API with them).
 */
export function dockerCmd(): string[] {
  const dockerfile = fs.readFileSync(new URL('../../docker/Dockerfile', import.meta.url), 'utf8');
  return JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
}
