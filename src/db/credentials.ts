import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type pg from 'pg';

/**
 * ASVS V2.10.1: the runtime and platform roles' passwords can live in files (the secret-manager pattern: a mounted
 * file replaced in place) and be rotated without downtime. Every new connection reads its file again; connections
 * already open keep going (PostgreSQL never ends a session over a password change).
 */

/** A password read from its file at each new connection: node-postgres calls it once per connection attempt. */
export type PasswordSource = () => Promise<string>;

export function passwordFromFile(file: string): PasswordSource {
  return async () => (await fs.promises.readFile(file, 'utf8')).trim();
}

export function readPasswordFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A temporary file (mode 0600) beside `file`, to be renamed or linked into place. */
function writeTemporary(file: string, password: string): string {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomUUID()}`);
  fs.writeFileSync(temporary, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return temporary;
}

/**
 * Writes the file only if there is none yet (link fails on an existing name), and answers the password the file
 * holds afterwards: processes booting together agree on one.
 */
export function seedPasswordFile(file: string, password: string): string {
  const temporary = writeTemporary(file, password);
  try {
    fs.linkSync(temporary, file);
    return password;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readPasswordFile(file) ?? password;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

// The parser node-postgres itself uses (its own copy, so sslmode and friends mean exactly what they mean to pg).
const parseConnectionString = (createRequire(createRequire(import.meta.url).resolve('pg'))('pg-connection-string') as {
  parse(url: string): Record<string, unknown>;
}).parse;

/**
 * Node-postgres lays the connection string's fields over the other settings, an empty password included: with a
 * password function, the string is parsed here and the function takes the password's place.
 */
export function connectionConfig(url: string, password: PasswordSource | undefined): Record<string, unknown> {
  if (!password) return { connectionString: url };
  const { password: _fromUrl, ...settings } = parseConnectionString(url);
  return { ...settings, password };
}

export function withoutPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}

export function newPassword(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/**
 * Sets a new random password for `role` and puts it in `file`: the file's new content is written first (a disk
 * failure leaves everything as it was), the role changed, then the file renamed into place atomically, so only
 * connections opened in the few milliseconds between the last two steps try the old password.
 */
export async function rotateRolePassword(owner: pg.Client, role: string, file: string): Promise<void> {
  const password = newPassword();
  const temporary = writeTemporary(file, password);
  try {
    await owner.query(`ALTER ROLE ${owner.escapeIdentifier(role)} PASSWORD ${owner.escapeLiteral(password)}`);
    fs.renameSync(temporary, file);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}
