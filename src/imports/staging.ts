import type { ImportKind } from '../../schemas/imports.js';
import type { Tx } from '../db/scope.js';
import type { DataLine } from './file.js';
import { insertImportRows } from './repository.js';
import { lineChecker, MATCH_KEY, type CheckedLine } from './rows.js';

// Checking and staging a file's lines, chunk by chunk, so that Node and the database work at once: the database
// inserts one chunk (a multi-row INSERT on the upload's transaction) while Node checks the next. Run one after the
// other, checking and inserting 100,000 lines took the sum of the two.

const CHUNK = 5000;

export interface StagedLines {
  valid: number;
  invalid: number;
  /** The match keys of the valid lines (a dry run counts those already in the book). */
  validKeys: string[];
  /** The first `keepRejected` refused lines, in file order. */
  rejected: CheckedLine[];
}

export async function checkAndStage(tx: Tx, kind: ImportKind, target: { importId: string; agentOrder: string | number },
  lines: readonly DataLine[], keepRejected: number): Promise<StagedLines> {
  const check = lineChecker(kind);
  const key = MATCH_KEY[kind];
  const staged: StagedLines = { valid: 0, invalid: 0, validKeys: [], rejected: [] };
  let inserting: Promise<void> = Promise.resolve();
  for (let start = 0; start < lines.length; start += CHUNK) {
    const chunk = lines.slice(start, start + CHUNK).map(check);
    for (const line of chunk) {
      if (line.errors) {
        staged.invalid += 1;
        if (staged.rejected.length < keepRejected) staged.rejected.push(line);
      } else {
        staged.valid += 1;
        staged.validKeys.push(String(line.values[key]));
      }
    }
    await inserting;
    inserting = insertImportRows(tx, target.importId, target.agentOrder, chunk);
    // Awaited before the next chunk is sent or at the end, where a failure surfaces; not an unhandled rejection meanwhile.
    inserting.catch(() => undefined);
    // Lets the statement reach the database before Node goes on checking (knex sends it from promise callbacks).
    await new Promise((resolve) => { setImmediate(resolve); });
  }
  await inserting;
  return staged;
}
