import { isDeepStrictEqual } from 'node:util';
import type { ListQuery } from '../../schemas/common.js';
import type { PolicyTermsDocument, PolicyTermsRecord, PutPolicyTermsBody } from '../../schemas/policy-terms.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import {
  findCurrentTerms, findTermsVersion, insertTermsVersion, listCurrentTerms, lockTermsCode, termsCodeExists, type PolicyTermsRow,
} from './terms-repository.js';

// Policy terms are tenant-wide. An edit never changes a version: it adds the next one, and every claim keeps the
// version that decided it, so a decision can always be explained with the terms it was made under.

export function termsView(row: PolicyTermsRow): PolicyTermsRecord {
  return { policy_terms_id: row.policy_terms_id, version: row.version, version_id: row.version_id, terms: row.terms,
    created_by: row.created_by, created_at: row.created_at.toISOString() };
}

const notFound = (code: string) => new NotFoundError(`No policy terms ${code}.`, { code: 'claims.terms_not_found' });

export async function listPolicyTerms(tx: Tx, actor: Actor, query: ListQuery): Promise<Page<PolicyTermsRecord>> {
  authorize(actor.ability, 'read', 'PolicyTerms');
  const page = await listCurrentTerms(tx, query);
  return { data: page.data.map(termsView), next_cursor: page.next_cursor };
}

export async function readPolicyTerms(tx: Tx, actor: Actor, code: string, version?: number): Promise<PolicyTermsRecord> {
  authorize(actor.ability, 'read', 'PolicyTerms');
  const row = version === undefined ? await findCurrentTerms(tx, code) : await findTermsVersion(tx, code, version);
  if (!row) throw notFound(version === undefined ? code : `${code} version ${version}`);
  return termsView(row);
}

export async function createPolicyTerms(tx: Tx, actor: Actor, doc: PolicyTermsDocument): Promise<PolicyTermsRecord> {
  authorize(actor.ability, 'create', 'PolicyTerms');
  if (await termsCodeExists(tx, doc.policy_id)) {
    throw new ConflictError(`Policy terms ${doc.policy_id} exist; PUT /claims/policy-terms/${doc.policy_id} makes a new version.`,
      { code: 'claims.terms_exists' });
  }
  return termsView(await insertTermsVersion(tx, doc, 1, actor.user_id));
}

/** A new version, unless the document is the same as the current one (then nothing changes: 200 with it). */
export async function replacePolicyTerms(tx: Tx, actor: Actor, code: string, body: PutPolicyTermsBody)
  : Promise<{ record: PolicyTermsRecord; created: boolean }> {
  authorize(actor.ability, 'update', 'PolicyTerms');
  if (body.policy_id !== undefined && body.policy_id !== code) {
    throw new ValidationError([{ path: 'body.policy_id', message: `must be ${code}, the code in the path, or left out` }]);
  }
  // Under the code's lock, the current version is read by a statement of its own, so it sees an edit that committed meanwhile.
  const current = await lockTermsCode(tx, code) ? await findCurrentTerms(tx, code) : undefined;
  if (!current) throw notFound(code);
  const doc: PolicyTermsDocument = { ...body, policy_id: code };
  if (isDeepStrictEqual(JSON.parse(JSON.stringify(doc)), current.terms)) return { record: termsView(current), created: false };
  return { record: termsView(await insertTermsVersion(tx, doc, current.version + 1, actor.user_id)), created: true };
}
