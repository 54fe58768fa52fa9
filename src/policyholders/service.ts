import crypto from 'node:crypto';
import type {
  CreatePolicyholderBody, PatchPolicyholderBody, Policyholder, PolicyholderListQuery, PolicyholderReadQuery,
} from '../../schemas/policyholders.js';
import type { RevealableField } from '../../schemas/sensitive-fields.js';
import {
  aadhaarIndex, EMPTY_SENSITIVE, keysForRows, maskedIdentifiers, openPolicyholderFields, panIndex, readKeys, sealPolicyholderFields,
  type SensitiveValues,
} from '../data-protection/encryption/policyholder-fields.js';
import { insertReveal } from '../data-protection/encryption/repository.js';
import type { TenantKeys } from '../data-protection/encryption/keyring.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import { resolveAgentForWrite } from '../agents/book-owner.js';
import { recordConsent } from '../data-protection/consent.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { BusinessRuleError, ConflictError, NotFoundError } from '../errors.js';
import { toNumeric, toPaise, toRupees } from '../money.js';
import {
  findPolicyholder, findUserLink, insertPolicyholderRow, linkUser, listPolicyholders as listRows, moveBookRows, updatePolicyholderRow,
  type PolicyholderRecord,
} from './repository.js';
import { authorizeUserLink } from '../users/service.js';
import { refuseIfErased } from '../data-protection/erased.js';

// Policyholders of the agent book. Which rows exist for the caller is RLS's decision (a record outside its
// range is a 404 like a missing one); CASL decides the action (not granted at all: 403, before any lookup). A record joins the book of the caller's own agent
// or of an agent the caller can see, never another.

const NOTHING_REVEALED: ReadonlySet<RevealableField> = new Set();

/**
 * The record as answered: sealed fields opened, PAN, Aadhaar and account number masked unless revealed. Built
 * field by field (one object of one shape per row, not copies of the row: a page maps 50 to 200 of them).
 */
export function policyholderView(record: PolicyholderRecord, keys: TenantKeys | undefined,
  revealed: ReadonlySet<RevealableField> = NOTHING_REVEALED): Policyholder {
  const sensitive = openPolicyholderFields(keys, record);
  const masked = maskedIdentifiers(sensitive, revealed);
  return {
    policyholder_id: record.policyholder_id,
    agent_id: record.agent_id,
    user_id: record.user_id,
    customer_id: record.customer_id,
    salutation: record.salutation,
    first_name: record.first_name,
    last_name: record.last_name,
    date_of_birth: record.date_of_birth,
    gender: record.gender,
    email: record.email,
    phone_number: record.phone_number,
    address: record.address as Policyholder['address'],
    marital_status: record.marital_status,
    occupation: record.occupation,
    annual_income: record.annual_income === null ? null : toRupees(toPaise(record.annual_income)),
    pre_existing_conditions: sensitive.pre_existing_conditions,
    pan: masked.pan,
    aadhaar_number: masked.aadhaar_number,
    bank_account: masked.bank_account,
    nominee_details: record.nominee_details as Policyholder['nominee_details'],
    preferred_language: record.preferred_language,
    marketing_consent: record.marketing_consent,
    status: record.status,
    deactivated_at: record.deactivated_at?.toISOString() ?? null,
    created_at: record.created_at.toISOString(),
    updated_at: record.updated_at.toISOString(),
  };
}

async function visiblePolicyholder(tx: Tx, policyholderId: string, forUpdate = false): Promise<PolicyholderRecord> {
  const record = await findPolicyholder(tx, policyholderId, { forUpdate });
  if (!record) throw new NotFoundError('No such policyholder.', { code: 'policyholder.not_found' });
  return record;
}

type PlainFields = Omit<PatchPolicyholderBody, 'agent_id' | 'user_id' | 'status'>;
const SENSITIVE_KEYS = ['pan', 'aadhaar_number', 'bank_account', 'pre_existing_conditions'] as const;

/** Columns as stored: money as a NUMERIC literal, JSON documents as JSON text; the sensitive fields apart (sealed). */
function storedColumns(body: PlainFields): Record<string, unknown> {
  const columns: Record<string, unknown> = { ...body };
  for (const key of SENSITIVE_KEYS) delete columns[key];
  if (body.annual_income !== undefined) columns.annual_income = body.annual_income === null ? null : toNumeric(toPaise(body.annual_income));
  for (const key of ['address', 'nominee_details'] as const) {
    if (body[key] !== undefined) columns[key] = body[key] === null ? null : JSON.stringify(body[key]);
  }
  return columns;
}

/** The sensitive values after applying the body's changes (absent: unchanged; null: removed); undefined: none changed. */
function changedSensitive(currentValues: () => SensitiveValues, body: PlainFields): SensitiveValues | undefined {
  if (!SENSITIVE_KEYS.some((key) => body[key] !== undefined)) return undefined;
  const current = currentValues();
  return {
    pan: body.pan === undefined ? current.pan : body.pan,
    aadhaar_number: body.aadhaar_number === undefined ? current.aadhaar_number : body.aadhaar_number,
    bank_account: body.bank_account === undefined ? current.bank_account : body.bank_account,
    pre_existing_conditions: body.pre_existing_conditions ?? current.pre_existing_conditions,
  };
}

async function answer(tx: Tx, policyholderId: string, revealed?: ReadonlySet<RevealableField>): Promise<Policyholder> {
  const record = await visiblePolicyholder(tx, policyholderId);
  return policyholderView(record, await keysForRows(tx, [record]), revealed);
}

/** Linking a login to a record is user administration: it needs update on User, and the user must be free. */
async function assertLinkable(tx: Tx, actor: Actor, userId: string, policyholderId?: string): Promise<void> {
  await authorizeUserLink(tx, actor, userId);
  const user = await findUserLink(tx, userId);
  if (!user) throw new BusinessRuleError('No such user in this tenant.', [{ path: 'body.user_id', message: 'does not exist' }], { code: 'rule.reference_missing' });
  if (user.policyholder_id && user.policyholder_id !== policyholderId) {
    throw new ConflictError('The user is already linked to another policyholder.', { code: 'policyholder.user_taken' });
  }
}

/** marketing_consent set through the policyholder API is a marketing decision taken by the agent. */
async function recordMarketingField(tx: Tx, policyholderId: string, given: boolean): Promise<void> {
  await recordConsent(tx, policyholderId, { purpose: 'marketing', status: given ? 'given' : 'withdrawn', channel: 'agent' });
}

export async function createPolicyholder(tx: Tx, actor: Actor, body: CreatePolicyholderBody): Promise<Policyholder> {
  authorize(actor.ability, 'create', 'Policyholder');
  const { agent_id: agentId, user_id: userId, ...fields } = body;
  const owner = await resolveAgentForWrite(tx, actor, agentId);
  if (userId) await assertLinkable(tx, actor, userId);
  // The id is chosen here: the sealed values are bound to their row.
  const policyholderId = crypto.randomUUID();
  const sensitive = changedSensitive(() => EMPTY_SENSITIVE, fields);
  await insertPolicyholderRow(tx, {
    policyholder_id: policyholderId, ...storedColumns(fields),
    ...(sensitive ? await sealPolicyholderFields(tx, actor.user_id, policyholderId, sensitive) : {}),
    agent_id: owner.agent_id, agent_order: owner.pre_order, created_by: actor.user_id, updated_by: actor.user_id,
  });
  if (userId) await linkUser(tx, policyholderId, userId);
  if (fields.marketing_consent !== undefined) await recordMarketingField(tx, policyholderId, fields.marketing_consent);
  return answer(tx, policyholderId);
}

/**
 * One policyholder; ?reveal= answers the named sensitive fields in full, for a caller allowed to reveal
 * PolicyholderSensitive, and records who, which fields and why (sensitive_field_reveals).
 */
export async function getPolicyholder(tx: Tx, actor: Actor, policyholderId: string, query: PolicyholderReadQuery = {}): Promise<Policyholder> {
  authorize(actor.ability, 'read', 'Policyholder');
  if (query.reveal) authorize(actor.ability, 'reveal', 'PolicyholderSensitive');
  const record = await visiblePolicyholder(tx, policyholderId);
  if (query.reveal) {
    await insertReveal(tx, { table_name: 'policyholders', record_id: policyholderId, fields: query.reveal,
      purpose: query.purpose as string, actor_user_id: actor.user_id, actor: actor.user_id ? 'user' : 'system' });
  }
  return policyholderView(record, await keysForRows(tx, [record]), new Set(query.reveal ?? []));
}

/** ?pan= and ?aadhaar_number= match exactly through their blind indexes (no keys yet: nothing is sealed, no match). */
export async function listPolicyholders(tx: Tx, actor: Actor, query: PolicyholderListQuery): Promise<Page<Policyholder>> {
  authorize(actor.ability, 'read', 'Policyholder');
  const { pan, aadhaar_number: aadhaar } = query;
  const indexKeys = pan || aadhaar ? await readKeys(tx) : undefined;
  if ((pan || aadhaar) && !indexKeys?.indexKey) return { data: [], next_cursor: null };
  const page = await listRows(tx, query, {
    pan_index: pan && panIndex(indexKeys, pan), aadhaar_index: aadhaar && aadhaarIndex(indexKeys, aadhaar),
  });
  const keys = indexKeys ?? await keysForRows(tx, page.data);
  return { data: page.data.map((record) => policyholderView(record, keys)), next_cursor: page.next_cursor };
}

/**
 * Changes a visible policyholder. A new agent_id moves the record to another book the caller can see; status
 * 'inactive' deactivates (and needs delete, like DELETE). A deactivated record takes no other change until
 * reactivated.
 */
export async function updatePolicyholder(tx: Tx, actor: Actor, policyholderId: string, body: PatchPolicyholderBody): Promise<Policyholder> {
  authorize(actor.ability, 'update', 'Policyholder');
  const record = await visiblePolicyholder(tx, policyholderId, true);
  // An erased record stays anonymised: reactivating or refilling it would hold personal data no erasure can reach.
  refuseIfErased(record.erased_at);
  const { agent_id: agentId, user_id: userId, status, ...fields } = body;
  if (status === 'inactive' && record.status === 'active') authorize(actor.ability, 'delete', 'Policyholder');
  if (record.status === 'inactive' && status !== 'active') {
    throw new ConflictError('The policyholder is deactivated; reactivate it first.', { code: 'policyholder.inactive' });
  }
  const changes: Record<string, unknown> = { ...storedColumns(fields), updated_by: actor.user_id };
  // The tenant's keys are read only when a sensitive field changes and the record already holds sealed values.
  const sensitiveChange = SENSITIVE_KEYS.some((key) => fields[key] !== undefined);
  const keys = sensitiveChange ? await keysForRows(tx, [record]) : undefined;
  const sensitive = changedSensitive(() => openPolicyholderFields(keys, record), fields);
  if (sensitive) Object.assign(changes, await sealPolicyholderFields(tx, actor.user_id, policyholderId, sensitive));
  if (agentId !== undefined && agentId !== record.agent_id) {
    // The source is in the caller's range (RLS showed the record); the target must be too.
    const owner = await resolveAgentForWrite(tx, actor, agentId);
    Object.assign(changes, { agent_id: owner.agent_id, agent_order: owner.pre_order });
    await moveBookRows(tx, policyholderId, owner.agent_id, owner.pre_order);
  }
  if (status !== undefined && status !== record.status) {
    Object.assign(changes, status === 'inactive'
      ? { status, deactivated_at: tx.fn.now() } : { status, deactivated_at: null, deactivated_reason: null });
  }
  if (userId !== undefined && userId !== record.user_id) {
    if (record.user_id) await authorizeUserLink(tx, actor, record.user_id);
    if (userId) await assertLinkable(tx, actor, userId, policyholderId);
    else authorize(actor.ability, 'update', 'User');
    await linkUser(tx, policyholderId, userId);
  }
  await updatePolicyholderRow(tx, policyholderId, changes);
  if (fields.marketing_consent !== undefined && fields.marketing_consent !== record.marketing_consent) {
    await recordMarketingField(tx, policyholderId, fields.marketing_consent);
  }
  return answer(tx, policyholderId);
}

/** DELETE: deactivates (nothing in the book is hard-deleted). Idempotent. */
export async function deactivatePolicyholder(tx: Tx, actor: Actor, policyholderId: string): Promise<void> {
  authorize(actor.ability, 'delete', 'Policyholder');
  const record = await visiblePolicyholder(tx, policyholderId, true);
  if (record.status === 'inactive') return;
  await updatePolicyholderRow(tx, policyholderId, { status: 'inactive', deactivated_at: tx.fn.now(), updated_by: actor.user_id });
}
