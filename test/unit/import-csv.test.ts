import assert from 'node:assert/strict';
import { readCsv } from '../../src/imports/file.js';

// Line numbers are what a rejected row is reported by: a file without quotes is numbered by position (the fast
// path), one with quotes by csv-parse's record info; both must agree, blank lines and all.
describe('import CSV reading', () => {
  const body = 'Customer_ID,First Name\r\nC-1,Asha\r\n\r\n   \r\nC-2 , Ravi \r\n,\r\n';

  it('numbers the lines of a file without quotes by position, skipping blank lines (empty cells only too) and trimming cells', () => {
    assert.deepEqual(readCsv(Buffer.from(`\ufeff${body}`)), [
      { line: 2, cells: { customer_id: 'C-1', first_name: 'Asha' } },
      { line: 5, cells: { customer_id: 'C-2', first_name: 'Ravi' } },
    ]);
  });

  it('numbers the lines of a file with quoted cells as the fast path does: a record by the line it starts on', () => {
    const lines = readCsv(Buffer.from(`${body.replaceAll('\r\n', '\n')}"C-3","Meera\nNair"\nC-4,Anil\n`));
    // The same lines as without quotes; a record spanning lines 7 and 8 is line 7, and the next one line 9.
    assert.deepEqual(lines.map((line) => line.line), [2, 5, 7, 9]);
    assert.equal(lines[2]?.cells.first_name, 'Meera\nNair');
  });
});
