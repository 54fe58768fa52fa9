import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import supertest from 'supertest';
import { createApp } from '../../src/app.js';
import { boot } from '../../src/boot.js';
import type { Config } from '../../src/config.js';
import { rotateDatabaseCredentials } from '../../src/db/credentials-rotation.js';
import { openDatabase } from '../../src/db/database.js';
import { createKnex } from '../../src/db/knex.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.js';
import { connectionConfig, withoutPassword } from '../../src/db/credentials.js';
import { loginRoleUrls, provisionFromOwner } from '../../src/db/roles.js';
import type { AppDeps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import { testDeps } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';
import { SUPER_ADMIN, testConfig } from '../helpers/test-config.js';

/** Signs in as `url`'s role with `password`; answers the SQLSTATE of a refusal, or 'ok'. */
async function signIn(url: string, password: string): Promise<string> {
  const client = new pg.Client(connectionConfig(url, async () => password));
  try {
    await client.connect();
    await client.query('SELECT 1');
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const read = (file: string) => fs.readFileSync(file, 'utf8').trim();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The owner of an external server: DATABASE_URL when the suite runs on one (Citus), else an embedded server of its
// own whose superuser plays the owner, so the rest of the suite keeps its passwords.
describe('V2.10.1 database credentials rotate without downtime', function () {
  this.timeout(180_000);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-mitra-credentials-'));
  const appFile = path.join(home, 'app-password');
  const platformFile = path.join(home, 'platform-password');
  let server: EmbeddedServer | undefined;
  let config: Config;
  let deps: AppDeps;
  let seeded: string;

  before(async () => {
    fs.chmodSync(home, 0o700);
    let ownerUrl = process.env.DATABASE_URL;
    if (!ownerUrl) {
      server = await startEmbeddedPostgres({ clusterDir: path.join(home, 'pg'), secretsDir: home, persistent: true, log: () => undefined });
      ownerUrl = server.superuserUrl;
    }
    // Connections live one second: after a rotation the app's pools must open new ones, with the new password.
    const own = testConfig(home, { DATABASE_URL: ownerUrl, DATA_DIR: home, DB_POOL_MAX: '2', DB_CONNECTION_LIFETIME_SECONDS: '1',
      DATABASE_APP_PASSWORD_FILE: appFile, DATABASE_PLATFORM_PASSWORD_FILE: platformFile });
    // On the shared server the super admin's password hash is peppered with the suite's master key.
    config = server ? own : { ...own, masterKey: testDeps().config.masterKey };
    deps = await boot(config, createLogger(config));
  });

  after(async () => {
    await deps?.jobs.pool.end();
    await deps?.db.close();
    // On a shared server, the rest of the suite signs in with the derived passwords: put them back.
    if (!server && config?.databaseUrl) await provisionFromOwner(config.databaseUrl, config.databaseAppUrl, config.databasePlatformUrl);
    await server?.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('seeds missing files with the current passwords, then a rotation changes them for new connections only', async () => {
    const app = createApp(deps);
    const before = { app: read(appFile), platform: read(platformFile) };
    seeded = before.app;
    expect(before.app).to.have.length.greaterThan(20);
    const appRoleUrl = deps.db.appUrl;
    expect(new URL(appRoleUrl).password, 'the pools take the password from the file').to.equal('');
    expect(await signIn(appRoleUrl, before.app)).to.equal('ok');

    // An open session of the runtime role, from before the rotation.
    const open = new pg.Client(connectionConfig(appRoleUrl, async () => before.app));
    await open.connect();
    const pidBefore = (await deps.db.app.raw('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    try {
      const lines = await rotateDatabaseCredentials(config);
      expect(lines).to.have.length(2);
      const after = { app: read(appFile), platform: read(platformFile) };
      expect(after.app).not.to.equal(before.app);
      expect(after.platform).not.to.equal(before.platform);
      expect(fs.statSync(appFile).mode & 0o777).to.equal(0o600);
      expect(fs.readdirSync(home).filter((name) => name.startsWith('.')), 'no temporary file left').to.deep.equal([]);

      expect((await open.query('SELECT 1 AS one')).rows[0].one, 'open sessions carry on').to.equal(1);
      expect(await signIn(appRoleUrl, before.app), 'the old password is refused').to.equal('28P01');
      const platformRoleUrl = withoutPassword(loginRoleUrls(config.databaseUrl ?? '', undefined, undefined).platform);
      expect(await signIn(platformRoleUrl, before.platform)).to.equal('28P01');
      expect(await signIn(platformRoleUrl, after.platform)).to.equal('ok');
      expect(await signIn(appRoleUrl, after.app)).to.equal('ok');

      // Past the connections' lifetime the pools open new ones, reading the rotated files.
      await pause(1_500);
      const pidAfter = (await deps.db.app.raw('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      expect(pidAfter, 'a new connection of the runtime pool').not.to.equal(pidBefore);
      expect((await deps.jobs.pool.query('SELECT current_user AS role')).rows[0].role).to.equal(new URL(appRoleUrl).username);
      expect((await supertest(app).get('/readyz')).status).to.equal(200);
      const login = await supertest(app).post('/api/v1/auth/login').send(SUPER_ADMIN);
      expect(login.status, login.text).to.equal(200);
      const me = await supertest(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${login.body.access_token}`);
      expect(me.status).to.equal(200);

      // A process still holding the old password (the instant between ALTER ROLE and the rename): 503, not 500.
      const stale = createKnex(platformRoleUrl, 1, { password: async () => before.platform, log: () => undefined });
      try {
        const refused = await supertest(createApp({ ...deps, db: { ...deps.db, platform: stale } }))
          .post('/api/v1/auth/login').send(SUPER_ADMIN);
        expectProblem(refused, 503, [], 'service.unavailable');
      } finally {
        await stale.destroy();
      }
    } finally {
      await open.end();
    }
  });

  it('does not reset a rotated password at the next boot', async () => {
    const rotated = read(appFile);
    const restarted = await openDatabase(config, () => undefined);
    try {
      expect((await restarted.app.raw('SELECT 1 AS one')).rows[0].one).to.equal(1);
    } finally {
      await restarted.close();
    }
    expect(read(appFile)).to.equal(rotated);
    expect(await signIn(deps.db.appUrl, rotated)).to.equal('ok');
    expect(await signIn(deps.db.appUrl, seeded), 'not reset to the derived password').to.equal('28P01');
  });
});
