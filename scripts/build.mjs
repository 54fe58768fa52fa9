// `npm run build`: compiles src, schemas, migrations and seeds to plain JavaScript under dist/ (or the directory
// given as the first argument), then writes the entry points dist/server.js, dist/worker.js and dist/migrate.js.
// The result runs on `node` with production dependencies only: no tsx, no TypeScript.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import console from 'node:console';
import process from 'node:process';
import { createRequire } from 'node:module';

const outDir = path.resolve(process.argv[2] ?? 'dist');
fs.rmSync(outDir, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], { stdio: 'inherit' });
const entries = { 'server.js': './src/server.js', 'worker.js': './src/worker.js', 'migrate.js': './src/db/migrate-cli.js' };
for (const [file, target] of Object.entries(entries)) {
  fs.writeFileSync(path.join(outDir, file), `import '${target}';\n`);
}
console.log(`built ${path.relative(process.cwd(), outDir) || '.'}: node ${path.join(path.relative(process.cwd(), outDir), 'server.js')}`);
