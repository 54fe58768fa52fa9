import { readFileSync } from 'node:fs';
import { PolicyTermsDocument } from '../../schemas/policy-terms.js';
import { toEngineClaim } from '../../src/claims/claim-input.js';
import { adjudicate, compileTerms } from '../../src/claims/engine/index.js';
import type { AdjudicationInput } from '../../src/claims/engine/types.js';
import { inputFromFile, OfflineClaimFile } from '../../src/claims/offline-file.js';

// npx tsx test/bench/claims-engine.ts: decisions per second of the engine alone (no HTTP, no database), over the
// sample claims plus a claim with a year of family history, terms compiled once as the API does per request.

const terms = PolicyTermsDocument.parse(JSON.parse(readFileSync(new URL('../../seeds/policy-terms/PLUM_OPD_2024.json', import.meta.url), 'utf8')));
const files = ['consultation-approved', 'dental-partial'].map((name) => OfflineClaimFile.parse(
  JSON.parse(readFileSync(new URL(`../../seeds/claims/${name}.json`, import.meta.url), 'utf8'))));
const inputs: AdjudicationInput[] = files.map((file) => inputFromFile(file, terms, '2026-01-05'));
const base = inputs[0] as AdjudicationInput;
inputs.push({ ...base, history: Array.from({ length: 40 }, (_, i) => ({
  claim_id: `CLM${i}`, member_id: i % 3 ? 'EMP001' : 'DEP1', treatment_date: `2025-${String((i % 12) + 1).padStart(2, '0')}-10`,
  decision: 'APPROVED' as const, claimed_amount: 100000, approved_amount: 90000, approved_by_category: { consultation: 90000 } })),
claim: toEngineClaim({ treatment_date: '2026-01-02', submission_date: '2026-01-05', claimed_amount: 1500, documents: {
  prescription: { doctor_name: 'Dr. A', doctor_reg: 'KA/45678/2015', diagnosis: 'Viral fever', medicines_prescribed: ['Paracetamol'] },
  bill: { consultation_fee: 1000, medicines: 500 } } }, '2026-01-05') });

const compiled = compileTerms(terms);
for (let i = 0; i < 2000; i += 1) adjudicate(inputs[i % inputs.length] as AdjudicationInput, compiled);
const seconds = 3;
let count = 0;
const start = process.hrtime.bigint();
const end = start + BigInt(seconds * 1e9);
while (process.hrtime.bigint() < end) {
  for (let i = 0; i < 100; i += 1) adjudicate(inputs[(count + i) % inputs.length] as AdjudicationInput, compiled);
  count += 100;
}
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(`engine alone: ${count} decisions in ${elapsed.toFixed(2)} s = ${Math.round(count / elapsed)} claims/s (${(elapsed / count * 1e6).toFixed(1)} µs each), one core\n`);
