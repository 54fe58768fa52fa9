import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';
import { currentLogContext } from './log-context.js';

/** `destination` (tests): where the JSON lines go instead of stdout. */
export function createLogger(config: Pick<Config, 'logLevel'> & Partial<Pick<Config, 'logPretty'>>, destination?: DestinationStream): Logger {
  const pretty = config.logPretty && !destination && prettyAvailable();
  return pino({
    level: config.logLevel,
    redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.refresh_token'],
    // tenant, user and request or job id on every line written while a request or job runs.
    // A field the line or its child logger already names is left alone, so no line repeats a key.
    mixin: (line, _level, logger) => {
      const bound = logger.bindings();
      return Object.fromEntries(Object.entries(currentLogContext())
        .filter(([key, value]) => value !== undefined && !(key in bound) && !(key in line)));
    },
    // pino-pretty is a development dependency, loaded in a worker thread only when asked for.
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  }, ...(destination ? [destination] : []));
}

/** A production install has no dev dependencies: plain JSON lines then, whatever LOG_PRETTY says. */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
