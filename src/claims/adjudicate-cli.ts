import { readFileSync } from 'node:fs';
import { presentDecision } from './claim-input.js';
import { adjudicate } from './engine/index.js';
import { inputFromFile, loadTerms, OfflineClaimFile } from './offline-file.js';

// npm run adjudicate -- claim.json [--terms PLUM_OPD_2024] [--json]
// Prints the decision and its trail from the same engine the API uses; exits 2 on a bad file.

function main(argv: string[]): number {
  const json = argv.includes('--json');
  const termsAt = argv.indexOf('--terms');
  const termsArg = termsAt >= 0 ? argv[termsAt + 1] : undefined;
  const file = argv.find((arg, index) => !arg.startsWith('--') && (termsAt < 0 || index !== termsAt + 1));
  if (!file || (termsAt >= 0 && !termsArg)) {
    process.stderr.write('usage: npm run adjudicate -- claim.json [--terms PLUM_OPD_2024 | terms.json] [--json]\n');
    return 2;
  }
  const parsed = OfflineClaimFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    process.stderr.write(`${file} is not a claim file:\n${parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n')}\n`);
    return 2;
  }
  const terms = loadTerms(termsArg ?? parsed.data.terms ?? 'PLUM_OPD_2024');
  const decision = presentDecision(adjudicate(inputFromFile(parsed.data, terms, new Date().toISOString().slice(0, 10))));
  if (json) {
    process.stdout.write(`${JSON.stringify(decision, null, 2)}\n`);
    return 0;
  }
  const out: string[] = [
    `Terms:       ${terms.policy_id} (${terms.policy_name})`,
    `Decision:    ${decision.decision}${decision.decision === 'MANUAL_REVIEW' ? ` (recommended ${decision.recommended_decision} Rs ${decision.recommended_amount})` : ''}`,
    `Approved:    Rs ${decision.approved_amount} of Rs ${decision.claimed_amount}`,
    `Deductions:  ${Object.entries(decision.deductions).filter(([, value]) => value).map(([key, value]) => `${key} Rs ${value}`).join(', ') || 'none'}`,
    `Reasons:     ${decision.rejection_reasons.join(', ') || 'none'}`,
    `Fraud flags: ${decision.fraud_flags.map((f) => f.code).join(', ') || 'none'}`,
    `Confidence:  ${decision.confidence_score.toFixed(2)}${decision.confidence_factors.map((f) => `\n             -${f.penalty.toFixed(2)} ${f.factor}`).join('')}`,
    `Notes:       ${decision.notes}`,
    `Next steps:  ${decision.next_steps}`,
    '',
    'Trail (step / rule / outcome / amount before -> after / message):',
    ...decision.trail.map((entry, index) => `${String(index + 1).padStart(3)}. ${entry.step.padEnd(17)} ${entry.rule.padEnd(34)} ${entry.outcome.padEnd(8)} ${String(entry.amount_before).padStart(9)} -> ${String(entry.amount_after).padEnd(9)} ${entry.message}`),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
