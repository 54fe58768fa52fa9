import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { dockerCmd } from '../helpers/docker-cmd.js';

const run = promisify(execFile);

/**
 * `npm run build`, then `node <flags> <build>/server.js` as the Dockerfile runs it (its CMD's flags, NODE_ENV=production), with every
 * devDependency import refused by a loader hook: the build must start, migrate a fresh database with its compiled
 * migrations, answer /readyz and stop cleanly on SIGTERM. Slow (a full tsc build), hence one test.
 */
describe('the production build', function () {
  this.timeout(300_000);
  const root = process.cwd();
  const outDir = path.join(root, '.data', `build-${process.pid}`);
  const dataDir = path.join(root, '.data', `build-data-${process.pid}`);
  let child: ChildProcess | undefined;

  after(() => {
    child?.kill('SIGKILL');
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('compiles to JavaScript that starts without tsx or dev dependencies, answers /readyz and shuts down cleanly', async () => {
    await run(process.execPath, ['scripts/build.mjs', outDir], { cwd: root });
    expect(fs.readdirSync(path.join(outDir, 'migrations', 'tenant')).every((file) => file.endsWith('.js'))).to.equal(true);

    const env: NodeJS.ProcessEnv = {
      ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn',
      JWT_SECRET: crypto.randomBytes(32).toString('hex'), MASTER_KEY: crypto.randomBytes(32).toString('base64'),
    };
    for (const name of ['NODE_OPTIONS', 'DATABASE_URL', 'DATABASE_APP_URL', 'SUPER_ADMIN_EMAIL', 'SUPER_ADMIN_PASSWORD']) delete env[name];
    // The Dockerfile's CMD: ["node", <flags>, "dist/server.js"] (node stops on a flag it does not know).
    const cmd = dockerCmd();
    expect(cmd[0]).to.equal('node');
    expect(cmd.at(-1)).to.equal('dist/server.js');
    const started = spawn(process.execPath, [...cmd.slice(1, -1), '--import', './test/helpers/forbid-dev-deps.mjs', path.join(outDir, 'server.js')],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
        const match = output.match(/is up: (http:\/\/localhost:\d+)\/api\/v1/);
        if (match?.[1]) resolve(match[1]);
      };
      started.stdout?.on('data', collect);
      started.stderr?.on('data', collect);
      started.once('exit', (code) => reject(new Error(`the build exited with ${code} before it was up:\n${output}`)));
    });

    const ready = await fetch(`${url}/readyz`);
    expect(ready.status, output).to.equal(200);
    expect(await ready.json()).to.deep.equal({ status: 'ready', database: 'ok', migrations: { shared: 'current', tenants_behind: 0 } });
    expect((await fetch(`${url}/api/v1/auth/me`)).status).to.equal(401);

    const exitCode = new Promise<number | null>((resolve) => started.once('exit', resolve));
    started.kill('SIGTERM');
    expect(await exitCode, output).to.equal(0);
    child = undefined;
  });
});
