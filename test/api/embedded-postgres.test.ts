import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { withClient } from '../../src/db/roles.js';

describe('the embedded PostgreSQL (npm start without DATABASE_URL)', function () {
  this.timeout(60_000);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-mitra-embedded-'));
  const options = { clusterDir: path.join(home, 'pg'), secretsDir: home, persistent: true, log: () => undefined };

  after(() => fs.rmSync(home, { recursive: true, force: true }));

  it('keeps its data across a stop and a restart, from a private (0700) directory even as root', async () => {
    fs.chmodSync(home, 0o700);
    const first = await startEmbeddedPostgres(options);
    await withClient(first.superuserUrl, (client) => client.query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)'));
    await first.stop();
    expect(fs.statSync(options.clusterDir).mode & 0o777, 'PostgreSQL refuses a cluster directory others can enter').to.equal(0o700);
    const second = await startEmbeddedPostgres(options);
    try {
      const { rows } = await withClient(second.superuserUrl, (client) => client.query('SELECT n FROM kept'));
      expect(rows).to.deep.equal([{ n: 42 }]);
    } finally {
      await second.stop();
    }
  });
});
