import type { Config } from '../config.js';
import { rotateRolePassword } from './credentials.js';
import { loginRoleUrls, withClient } from './roles.js';

/**
 * As the owner (DATABASE_URL), rotates each login role whose password file is configured; answers one line per role.
 * The embedded development server keeps its passwords under DATA_DIR and is not rotated.
 */
export async function rotateDatabaseCredentials(config: Config): Promise<string[]> {
  if (!config.databaseUrl) throw new Error('Rotation needs DATABASE_URL (the owner role); the embedded server is for development only.');
  const files = config.databasePasswordFiles;
  if (!files.app && !files.platform) {
    throw new Error('Set DATABASE_APP_PASSWORD_FILE and DATABASE_PLATFORM_PASSWORD_FILE: a rotated password has to be written somewhere.');
  }
  const urls = loginRoleUrls(config.databaseUrl, config.databaseAppUrl, config.databasePlatformUrl);
  const targets = [{ url: urls.app, file: files.app }, { url: urls.platform, file: files.platform }];
  return withClient(config.databaseUrl, async (owner) => {
    const done: string[] = [];
    for (const { url, file } of targets) {
      if (!file) continue;
      const role = decodeURIComponent(new URL(url).username);
      await rotateRolePassword(owner, role, file);
      done.push(`${role}: new password written to ${file}`);
    }
    return done;
  });
}
