import { z } from 'zod';
import { ListQuery, page, Timestamp, Uuid } from './common.js';

// Personal data under the DPDP Act: read audit, consent, rights requests, retention (src/data-protection).

/** Why personal data is read: the X-Purpose request header, or the endpoint's default. */
export const READ_PURPOSES = ['servicing', 'claims_processing', 'underwriting', 'compliance', 'customer_request',
  'dispute_resolution', 'fraud_prevention', 'legal_obligation'] as const;
export const ReadPurpose = z.enum(READ_PURPOSES);
export type ReadPurpose = z.infer<typeof ReadPurpose>;

const IsoTimestamp = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 timestamp with zone' });

export const PersonalDataRead = z.object({
  read_id: Uuid,
  request_id: Uuid.describe('Rows written by the same request share it'),
  occurred_at: Timestamp,
  actor_user_id: Uuid.nullable(),
  actor: z.string().describe("'user' or 'system:<job>'"),
  purpose: z.string(),
  endpoint: z.string().describe("'GET /policyholders/:policyholder_id', or a job's name"),
  subject: z.string().describe('The table the record belongs to'),
  record_id: Uuid,
  policyholder_id: Uuid.nullable().describe('Whose personal data it is'),
  fields: z.array(z.string()).describe('The personal fields the caller received'),
});
export type PersonalDataRead = z.infer<typeof PersonalDataRead>;
export const PersonalDataReadPage = page(PersonalDataRead);

export const PersonalDataReadQuery = ListQuery.extend({
  policyholder_id: Uuid.optional().describe("Reads of this person's data"),
  record_id: Uuid.optional(),
  user_id: Uuid.optional().describe('Reads by this user'),
  purpose: ReadPurpose.optional(),
  from: IsoTimestamp.optional().describe('At or after this time'),
  to: IsoTimestamp.optional().describe('Before this time'),
}).strict();
export type PersonalDataReadQuery = z.infer<typeof PersonalDataReadQuery>;
