import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ClaimCategory, ClaimDetailsInput, DECISION_KINDS } from '../../schemas/claims.js';
import { IsoDate, Rupees } from '../../schemas/common.js';
import { PolicyTermsDocument } from '../../schemas/policy-terms.js';
import { toPaise } from '../money.js';
import { toEngineClaim } from './claim-input.js';
import type { AdjudicationInput, PastClaim } from './engine/types.js';

// A claim on a file, for claims teams without a server: the member, their cover, the family's earlier claims
// and the claim itself (the same `documents` as POST /claims). Terms come from seeds/policy-terms/<CODE>.json.

export const TERMS_DIRECTORY = resolve(dirname(fileURLToPath(import.meta.url)), '../../seeds/policy-terms');

const PastClaimInput = z.object({
  claim_id: z.string().min(1), member_id: z.string().min(1).optional(), treatment_date: IsoDate,
  decision: z.enum(DECISION_KINDS), claimed_amount: Rupees, approved_amount: Rupees,
  approved_by_category: z.partialRecord(z.union([ClaimCategory, z.literal('dental_routine')]), Rupees).optional(),
  hospital: z.string().optional(), bill_number: z.string().optional(),
}).strict();

export const OfflineClaimFile = z.object({
  terms: z.string().optional().describe('A terms code (seeds/policy-terms/<CODE>.json) or a path to a terms file'),
  member: z.object({
    member_id: z.string().min(1).default('MEMBER'), name: z.string().min(1),
    relationship: z.enum(['self', 'spouse', 'child', 'parent', 'other']).default('self'),
    date_of_birth: IsoDate.optional(), gender: z.enum(['male', 'female', 'other']).optional(),
    pre_existing_conditions: z.array(z.string()).default([]), covered_from: IsoDate.optional(), covered: z.boolean().default(true),
  }).strict(),
  cover: z.object({
    status: z.enum(['active', 'inactive', 'lapsed', 'cancelled', 'suspended', 'expired']).default('active'),
    start_date: IsoDate, end_date: IsoDate.optional(),
  }).strict().nullable(),
  history: z.array(PastClaimInput).default([]),
  claim: ClaimDetailsInput,
}).strict();
export type OfflineClaimFile = z.infer<typeof OfflineClaimFile>;

export function loadTerms(codeOrPath: string): PolicyTermsDocument {
  const path = existsSync(codeOrPath) ? codeOrPath : join(TERMS_DIRECTORY, `${codeOrPath.toUpperCase()}.json`);
  if (!existsSync(path)) throw new Error(`No terms ${codeOrPath}: neither a file nor ${path}`);
  return PolicyTermsDocument.parse(JSON.parse(readFileSync(path, 'utf8')));
}

export function inputFromFile(file: OfflineClaimFile, terms: PolicyTermsDocument, today: string): AdjudicationInput {
  const memberId = file.member.member_id;
  const history: PastClaim[] = file.history.map((past) => ({
    claim_id: past.claim_id, member_id: past.member_id ?? memberId, treatment_date: past.treatment_date, decision: past.decision,
    claimed_amount: toPaise(past.claimed_amount), approved_amount: toPaise(past.approved_amount),
    approved_by_category: Object.fromEntries(Object.entries(past.approved_by_category ?? {}).map(([key, value]) => [key, toPaise(value as number)])),
    ...(past.hospital ? { hospital: past.hospital } : {}), ...(past.bill_number ? { bill_number: past.bill_number } : {}),
  }));
  return { terms, member: file.member, cover: file.cover, history, claim: toEngineClaim(file.claim, today) };
}
