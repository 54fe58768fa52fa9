import pg from 'pg';

/**
 * Makes every pg client of this process push the text of each statement it sends to `sink()` (when that returns an
 * array: the round-trip tests record one request at a time). Returns the undo.
 */
export function recordStatements(sink: () => string[] | undefined): () => void {
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function recorded(this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text ?? '';
    sink()?.push(text);
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
  return () => { pg.Client.prototype.query = query; };
}
