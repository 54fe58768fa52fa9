import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

// Writes the XLSX samples from the CSV ones (same rows), so the two formats cannot drift apart:
// npx tsx seeds/imports/make-xlsx.ts
const here = path.dirname(fileURLToPath(import.meta.url));

/** A workbook with one sheet holding these rows (numbers as numbers, dates as dates, as a spreadsheet would). */
export async function workbookOf(rows: string[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('import');
  const [header = [], ...data] = rows;
  sheet.addRow(header);
  for (const row of data) {
    sheet.addRow(row.map((cell, index) => {
      if (/_date$|^date_of_birth$/.test(header[index] ?? '') && /^\d{4}-\d{2}-\d{2}$/.test(cell)) return new Date(`${cell}T00:00:00Z`);
      return /^\d+(\.\d+)?$/.test(cell) && !/phone|pincode|_id$|number$/.test(header[index] ?? '') ? Number(cell) : cell;
    }));
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

async function writeSamples(): Promise<void> {
  for (const name of ['customers', 'policies']) {
    const rows = parse(readFileSync(path.join(here, `${name}.csv`))) as string[][];
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await workbookOf(rows) as unknown as ArrayBuffer);
    await workbook.xlsx.writeFile(path.join(here, `${name}.xlsx`));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) void writeSamples();
