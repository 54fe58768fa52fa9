import type { DependentBody, DependentRecord, LimitsRecord } from '../../schemas/claims.js';
import type { ListQuery } from '../../schemas/common.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { BusinessRuleError, ConflictError, NotFoundError } from '../errors.js';
import { toRupees, type Paise } from '../money.js';
import { bookOwnerOfPolicyholder } from '../policies/book-owner-repository.js';
import { businessToday } from '../policies/calendar.js';
import { APPROVED_KEYS, approvedInYear, findHealthCover, findPolicyholder, lockPolicyholder } from './claims-repository.js';
import { dependentsOf, insertDependent, listDependents } from './dependents-repository.js';
import { policyYear } from './engine/dates.js';
import { compileTerms } from './engine/terms.js';
import { findCurrentTerms } from './terms-repository.js';
import { dependentView } from './view.js';
import { refuseIfErased } from '../data-protection/erased.js';

// A policyholder's family (dependents) and what is left of its limits.

const notFound = () => new NotFoundError('No such policyholder in your book.', { code: 'policyholder.not_found' });

/** A name as compared for sameness: case, accents' composition and runs of spaces do not make another person. */
const personName = (name: string) => name.normalize('NFC').toLocaleLowerCase('en-IN').replace(/\s+/g, ' ').trim();

export async function addDependent(tx: Tx, actor: Actor, policyholderId: string, body: DependentBody): Promise<DependentRecord> {
  authorize(actor.ability, 'create', 'Dependent');
  const owner = await bookOwnerOfPolicyholder(tx, policyholderId);
  if (!owner) throw notFound();
  // An erased person's family would hold personal (health) data that no erasure can reach any more.
  refuseIfErased(owner.erased_at);
  // One person, one member: a second row (a retried request) would give the family a second annual limit. Under the
  // family's lock, as claims are, so two such requests at once cannot both add.
  await lockPolicyholder(tx, policyholderId);
  const name = personName(body.full_name);
  if ((await dependentsOf(tx, policyholderId)).some((d) => d.status === 'active' && d.date_of_birth === body.date_of_birth && personName(d.full_name) === name)) {
    throw new ConflictError(`${body.full_name}, born ${body.date_of_birth}, is already a dependent of this policyholder.`, { code: 'claims.dependent_exists' });
  }
  const row = await insertDependent(tx, {
    agent_id: owner.agent_id, agent_order: owner.agent_order, policyholder_id: policyholderId, full_name: body.full_name,
    relationship: body.relationship, date_of_birth: body.date_of_birth, gender: body.gender ?? null,
    pre_existing_conditions: JSON.stringify(body.pre_existing_conditions ?? []), covered_from: body.covered_from ?? null,
    created_by: actor.user_id,
  });
  return dependentView(row);
}

export async function listDependentPage(tx: Tx, actor: Actor, policyholderId: string, query: ListQuery): Promise<Page<DependentRecord>> {
  authorize(actor.ability, 'read', 'Dependent');
  if (!await findPolicyholder(tx, policyholderId)) throw notFound();
  const page = await listDependents(tx, policyholderId, query);
  return { data: page.data.map(dependentView), next_cursor: page.next_cursor };
}

const usage = (limit: Paise, used: Paise) => ({ limit: toRupees(limit), used: toRupees(used), left: toRupees(Math.max(0, limit - used)) });

/** Used and left per member and category in the policy year of `asOf`, from approved claims only. */
export async function limitsOf(tx: Tx, actor: Actor, policyholderId: string, asOf = businessToday()): Promise<LimitsRecord> {
  authorize(actor.ability, 'read', 'Claim');
  const holder = await findPolicyholder(tx, policyholderId);
  if (!holder) throw notFound();
  const cover = await findHealthCover(tx, policyholderId, asOf);
  const termsRow = cover?.plan_code ? await findCurrentTerms(tx, cover.plan_code.toUpperCase()) : undefined;
  if (!cover || !termsRow) {
    throw new BusinessRuleError('The policyholder has no health policy whose plan_code names policy terms.', [], { code: 'claims.no_cover' });
  }
  // No policy year to show outside the cover: the first or the last year shown for a date before or after it was one
  // the member was not in on that date.
  if (asOf < cover.start_date || (cover.maturity_date && asOf > cover.maturity_date)) {
    throw new BusinessRuleError(`The policyholder's health policy runs from ${cover.start_date} to ${cover.maturity_date}, not on ${asOf}.`,
      [{ path: 'query.as_of', message: `must be within the health policy (${cover.start_date} to ${cover.maturity_date})` }], { code: 'claims.no_cover' });
  }
  const terms = compileTerms(termsRow.terms);
  const year = policyYear(cover.start_date, asOf);
  const used = await approvedInYear(tx, policyholderId, year.start, year.end);
  const limitOf: Record<(typeof APPROVED_KEYS)[number], Paise> = { ...terms.subLimits, dental_routine: terms.dentalRoutineLimit };
  const members = [
    { member_id: holder.policyholder_id, dependent_id: null, name: [holder.first_name, holder.last_name].filter(Boolean).join(' '), relationship: 'self' },
    ...(await dependentsOf(tx, policyholderId)).map((d) => ({ member_id: d.dependent_id, dependent_id: d.dependent_id, name: d.full_name, relationship: d.relationship })),
  ];
  return {
    policyholder_id: policyholderId, policy_id: cover.policy_id, policy_terms_id: termsRow.policy_terms_id, policy_terms_version: termsRow.version,
    policy_year: year, family: usage(terms.familyFloaterLimit, used.reduce((sum, row) => sum + row.approved, 0)),
    members: members.map((member) => {
      const mine = used.find((row) => row.member_id === member.member_id);
      return { ...member, annual: usage(terms.annualLimit, mine?.approved ?? 0),
        categories: Object.fromEntries(APPROVED_KEYS.map((key) => [key, usage(limitOf[key], mine?.byKey[key] ?? 0)])) };
    }),
  };
}
