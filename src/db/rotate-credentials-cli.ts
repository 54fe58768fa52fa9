import { loadConfig } from '../config.js';
import { rotateDatabaseCredentials } from './credentials-rotation.js';

// `npm run db:rotate-credentials`: new random passwords for the runtime and platform login roles, written to their
// password files; running processes use them from their next connection, open connections carry on.
const config = loadConfig();
try {
  for (const line of await rotateDatabaseCredentials(config)) console.log(line);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
