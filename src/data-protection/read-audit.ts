import crypto from 'node:crypto';
import pg from 'pg';
import type { Request } from 'express';
import { READ_PURPOSES, type ReadPurpose } from '../../schemas/data-protection.js';
import { rideCommit } from '../db/knex.js';
import { uuidArrayLiteral } from '../db/sql-literals.js';
import type { Tx } from '../db/scope.js';
import { ValidationError } from '../errors.js';
import { currentLogContext } from '../log-context.js';
import { personalFieldsOf } from './classification.js';

// The read audit: every read of personal data records who (the transaction's app.user_id and app.actor), which
// records, which personal fields, when and why, in the tenant's personal_data_reads, inside the reading
// transaction (a read that fails leaves no row, a row never outlives a rolled-back read). One row per read (per
// call), however many records: a page of 200 is one row, its records held as arrays.

export const PURPOSE_HEADER = 'X-Purpose';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The purpose a request declares in X-Purpose, or the endpoint's default; an unknown purpose is a 400. */
export function readPurpose(req: Request, fallback: ReadPurpose): ReadPurpose {
  const declared = req.get(PURPOSE_HEADER)?.trim().toLowerCase();
  if (declared === undefined || declared === '') return fallback;
  if ((READ_PURPOSES as readonly string[]).includes(declared)) return declared as ReadPurpose;
  throw new ValidationError([{ path: 'headers.x-purpose', message: `must be one of ${READ_PURPOSES.join(', ')}` }],
    'The request has invalid fields.', { code: 'data_protection.purpose_invalid' });
}

export interface ReadRecord {
  readonly record_id: string;
  readonly policyholder_id: string | null;
}

export interface PersonalDataReadEntry {
  /** 'GET /policyholders/:policyholder_id', or a job's name. */
  readonly endpoint: string;
  readonly purpose: string;
  /** The table the records belong to. */
  readonly subject: string;
  readonly records: readonly ReadRecord[];
  readonly fields: readonly string[];
}

/** One request id per transaction: the request's own when it is a UUID, so log lines and audit rows meet. */
const requestIds = new WeakMap<Tx, string>();

function requestIdOf(tx: Tx): string {
  let id = requestIds.get(tx);
  if (!id) {
    const fromLog = currentLogContext().request_id;
    id = fromLog && UUID.test(fromLog) ? fromLog.toLowerCase() : crypto.randomUUID();
    requestIds.set(tx, id);
  }
  return id;
}

/** Records one read of personal data: one row, one statement. Nothing read (no records or no fields), nothing written. */
export async function recordPersonalDataRead(tx: Tx, entry: PersonalDataReadEntry): Promise<void> {
  if (entry.records.length === 0 || entry.fields.length === 0) return;
  await insertReads(tx, [entry]);
}

/**
 * A read of records of several tables or field sets at once (e.g. the change audit's entries): one row per
 * distinct (subject, fields), in order of first appearance, still one statement.
 */
export async function recordMixedRead(tx: Tx, endpoint: string, purpose: string,
  records: readonly (ReadRecord & { subject: string; fields: readonly string[] })[]): Promise<void> {
  const groups = new Map<string, PersonalDataReadEntry & { records: ReadRecord[] }>();
  for (const { subject, fields, record_id, policyholder_id } of records) {
    if (fields.length === 0) continue;
    const key = JSON.stringify([subject, fields]);
    const group = groups.get(key) ?? { endpoint, purpose, subject, fields, records: [] };
    group.records.push({ record_id, policyholder_id });
    groups.set(key, group);
  }
  await insertReads(tx, [...groups.values()]);
}

/**
 * One row per read, holding its records as two parallel arrays (record_ids, policyholder_ids), written as one
 * multi-row INSERT ... VALUES that rides the transaction's COMMIT (no round trip of its own; rideCommit in
 * src/db/knex.ts): nobody reads its result, and it still commits or rolls back with the read. Literals, not bound
 * parameters (a rider travels in a simple query), each escaped by pg. Never INSERT ... SELECT: Citus runs that into
 * a distributed table as COPY, which it refuses under row-level security.
 */
async function insertReads(tx: Tx, reads: readonly PersonalDataReadEntry[]): Promise<void> {
  if (reads.length === 0) return;
  const requestId = literal(requestIdOf(tx));
  const rows = reads.map((read) => {
    const recordIds = uuidArray(read.records.map((record) => record.record_id));
    const ownIds = read.records.every((record) => record.policyholder_id === record.record_id);
    const policyholderIds = ownIds ? recordIds : uuidArray(read.records.map((record) => record.policyholder_id));
    return `(${[requestId, literal(read.purpose), literal(read.endpoint), literal(read.subject), textArray(read.fields),
      recordIds, policyholderIds].join(', ')})`;
  });
  await rideCommit(tx, `INSERT INTO personal_data_reads (request_id, purpose, endpoint, subject, fields, record_ids, policyholder_ids) VALUES ${rows.join(', ')}`);
}

const literal = (value: string): string => pg.escapeLiteral(value);
const textArray = (values: readonly string[]): string => `ARRAY[${values.map(literal).join(', ')}]::text[]`;

/** A uuid[] as one array literal: a page's hundred ids cost one literal to build and for the server to parse. */
const uuidArray = (values: readonly (string | null)[]): string => `'${uuidArrayLiteral(values)}'::uuid[]`;

export interface AuditedRead {
  readonly endpoint: string;
  readonly subject: string;
  readonly purpose: ReadPurpose;
  /** The record's key in the API's reply. */
  readonly key: string;
  /** Whose data every record is, when the reply does not say (e.g. a claim's documents). */
  readonly policyholderId?: string;
  /** The personal fields handed out, when the reply's names differ from the columns'. */
  readonly fields?: readonly string[];
}

/**
 * Records what a reply hands out: the given records (as the API returns them), the personal fields among their
 * keys (by the classification of `subject`), and whose data each is (its policyholder_id, or its own key on
 * policyholders).
 */
export async function auditedRead<T extends object>(tx: Tx, read: AuditedRead, records: readonly T[]): Promise<void> {
  const first = records[0];
  if (!first) return;
  const fields = read.fields ?? personalFieldsOf(read.subject, first);
  const rows = records.map((record) => {
    const values = record as Record<string, unknown>;
    const policyholderId = read.policyholderId ?? (read.subject === 'policyholders' ? values[read.key] : values.policyholder_id);
    return { record_id: String(values[read.key]), policyholder_id: typeof policyholderId === 'string' ? policyholderId : null };
  });
  await recordPersonalDataRead(tx, { endpoint: read.endpoint, subject: read.subject, purpose: read.purpose, records: rows, fields });
}
