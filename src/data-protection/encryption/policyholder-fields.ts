import type { BankAccount, RevealableField } from '../../../schemas/sensitive-fields.js';
import type { Tx } from '../../db/scope.js';
import { dataKeyring, type TenantKeys } from './keyring.js';
import { blindIndex, openValue, placeOf, sealValue } from './sealed-values.js';

// The sensitive fields of a policyholder: PAN, Aadhaar number, bank account and pre-existing conditions (health).
// In the database only sealed values and blind indexes; every sealed value of a row uses the row's
// sealed_key_version, so a write re-seals all of them with the current key and the re-encryption job finds the
// rows still on an older one.

export interface PreExistingCondition { condition: string; diagnosed_on?: string; notes?: string }

export interface SensitiveValues {
  readonly pan: string | null;
  readonly aadhaar_number: string | null;
  readonly bank_account: BankAccount | null;
  readonly pre_existing_conditions: PreExistingCondition[];
}

/** The columns behind SensitiveValues, as stored. pre_existing_conditions is the legacy plaintext column. */
export interface SealedPolicyholderColumns {
  readonly policyholder_id: string;
  readonly pan_sealed: string | null;
  readonly aadhaar_sealed: string | null;
  readonly bank_account_sealed: string | null;
  readonly pre_existing_conditions_sealed: string | null;
  readonly pre_existing_conditions: PreExistingCondition[];
  readonly sealed_key_version: number | null;
}

export const SEALED_POLICYHOLDER_COLUMNS = ['pan_sealed', 'aadhaar_sealed', 'bank_account_sealed', 'pre_existing_conditions_sealed',
  'pre_existing_conditions', 'sealed_key_version'] as const;

const place = (column: string, policyholderId: string) => placeOf('policyholders', column, policyholderId);

export const EMPTY_SENSITIVE: SensitiveValues = { pan: null, aadhaar_number: null, bank_account: null, pre_existing_conditions: [] };

/** Opens a row's sealed values (rows written before encryption keep their conditions in the plaintext column). */
export function openPolicyholderFields(keys: TenantKeys | undefined, row: SealedPolicyholderColumns): SensitiveValues {
  const id = row.policyholder_id;
  const opened = (column: 'pan_sealed' | 'aadhaar_sealed' | 'bank_account_sealed' | 'pre_existing_conditions_sealed') => {
    const stored = row[column];
    return stored === null ? null : openValue(keys, place(column, id), stored);
  };
  const conditions = opened('pre_existing_conditions_sealed');
  const bank = opened('bank_account_sealed');
  return {
    pan: opened('pan_sealed'),
    aadhaar_number: opened('aadhaar_sealed'),
    bank_account: bank === null ? null : JSON.parse(bank) as BankAccount,
    pre_existing_conditions: conditions === null ? row.pre_existing_conditions ?? [] : JSON.parse(conditions) as PreExistingCondition[],
  };
}

/** The tenant's keys for reading sealed rows in this transaction (undefined: nothing was ever sealed). */
export function readKeys(tx: Tx): Promise<TenantKeys | undefined> {
  return dataKeyring().existingKeys(tx);
}

/** The keys, read only when a row holds a sealed value: a book without sensitive data costs no extra round trip. */
export async function keysForRows(tx: Tx, rows: readonly SealedPolicyholderColumns[]): Promise<TenantKeys | undefined> {
  const sealed = rows.some((row) => row.pan_sealed !== null || row.aadhaar_sealed !== null || row.bank_account_sealed !== null
    || row.pre_existing_conditions_sealed !== null);
  return sealed ? readKeys(tx) : undefined;
}

export const panIndex = (keys: TenantKeys | undefined, pan: string) => keys?.indexKey && blindIndex(keys.indexKey, 'pan', pan);
export const aadhaarIndex = (keys: TenantKeys | undefined, aadhaar: string) => keys?.indexKey && blindIndex(keys.indexKey, 'aadhaar', aadhaar);

/** The stored columns for these values, sealed with the tenant's current key (created on first use). */
export async function sealPolicyholderFields(tx: Tx, createdBy: string | null, policyholderId: string,
  values: SensitiveValues): Promise<Record<string, unknown>> {
  const hasAny = values.pan !== null || values.aadhaar_number !== null || values.bank_account !== null
    || values.pre_existing_conditions.length > 0;
  if (!hasAny) {
    return { pan_sealed: null, pan_index: null, aadhaar_sealed: null, aadhaar_index: null, bank_account_sealed: null,
      pre_existing_conditions_sealed: null, pre_existing_conditions: '[]', sealed_key_version: null };
  }
  const keys = await dataKeyring().keys(tx, createdBy);
  const sealed = (column: string, plaintext: string | null) => plaintext === null ? null : sealValue(keys.current, place(column, policyholderId), plaintext);
  return {
    pan_sealed: sealed('pan_sealed', values.pan),
    pan_index: values.pan === null ? null : panIndex(keys, values.pan),
    aadhaar_sealed: sealed('aadhaar_sealed', values.aadhaar_number),
    aadhaar_index: values.aadhaar_number === null ? null : aadhaarIndex(keys, values.aadhaar_number),
    bank_account_sealed: sealed('bank_account_sealed', values.bank_account && JSON.stringify(values.bank_account)),
    pre_existing_conditions_sealed: values.pre_existing_conditions.length
      ? sealed('pre_existing_conditions_sealed', JSON.stringify(values.pre_existing_conditions)) : null,
    // The legacy plaintext column is emptied as soon as the row's conditions are sealed.
    pre_existing_conditions: '[]',
    sealed_key_version: keys.current.version,
  };
}

const last4 = (value: string) => value.slice(-4);

/** The sensitive identifiers as answered: masked, except the fields revealed. */
export function maskedIdentifiers(values: SensitiveValues, revealed: ReadonlySet<RevealableField>) {
  const { pan, aadhaar_number: aadhaar, bank_account: bank } = values;
  return {
    pan: pan === null || revealed.has('pan') ? pan : `XXXXX${pan.slice(5, 9)}X`,
    aadhaar_number: aadhaar === null || revealed.has('aadhaar_number') ? aadhaar : `XXXX-XXXX-${last4(aadhaar)}`,
    bank_account: bank === null || revealed.has('bank_account') ? bank
      : { ...bank, account_number: `${'X'.repeat(bank.account_number.length - 4)}${last4(bank.account_number)}` },
  };
}

type ConditionColumns = Pick<SealedPolicyholderColumns, 'policyholder_id' | 'pre_existing_conditions' | 'pre_existing_conditions_sealed'>;

/** A policyholder's pre-existing conditions, opened (the claims engine reads them for waiting periods). */
export async function preExistingConditionsOf(tx: Tx, row: ConditionColumns): Promise<PreExistingCondition[]> {
  if (row.pre_existing_conditions_sealed === null) return row.pre_existing_conditions ?? [];
  const opened = openValue(await readKeys(tx), place('pre_existing_conditions_sealed', row.policyholder_id), row.pre_existing_conditions_sealed);
  return JSON.parse(opened) as PreExistingCondition[];
}
