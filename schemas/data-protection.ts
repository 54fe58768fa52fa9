import { z } from 'zod';
import { ListQuery, page, Timestamp, Uuid, ZonedTimestamp } from './common.js';

// Personal data under the DPDP Act: read audit, consent, rights requests, retention (src/data-protection).

/** Why personal data is read: the X-Purpose request header, or the endpoint's default. */
export const READ_PURPOSES = ['servicing', 'claims_processing', 'underwriting', 'compliance', 'customer_request',
  'dispute_resolution', 'fraud_prevention', 'legal_obligation'] as const;
export const ReadPurpose = z.enum(READ_PURPOSES);
export type ReadPurpose = z.infer<typeof ReadPurpose>;

export const PersonalDataReadRecord = z.object({
  record_id: Uuid,
  policyholder_id: Uuid.nullable().describe('Whose personal data it is'),
});

export const PersonalDataRead = z.object({
  read_id: Uuid,
  request_id: Uuid.describe('Reads made by the same request share it'),
  occurred_at: Timestamp,
  actor_user_id: Uuid.nullable(),
  actor: z.string().describe("'user' or 'system:<job>'"),
  purpose: z.string(),
  endpoint: z.string().describe("'GET /policyholders/:policyholder_id', or a job's name"),
  subject: z.string().describe('The table the records belong to'),
  records: z.array(PersonalDataReadRecord).describe(
    'The records handed out by this read (a page is one read); with a record_id or policyholder_id filter, only the matching ones'),
  fields: z.array(z.string()).describe('The personal fields the caller received'),
});
export type PersonalDataRead = z.infer<typeof PersonalDataRead>;
export const PersonalDataReadPage = page(PersonalDataRead);

export const PersonalDataReadQuery = ListQuery.extend({
  policyholder_id: Uuid.optional().describe("Reads of this person's data"),
  record_id: Uuid.optional().describe('Reads of this record'),
  user_id: Uuid.optional().describe('Reads by this user'),
  purpose: z.string().trim().toLowerCase().pipe(ReadPurpose).optional().describe('Any case, as X-Purpose'),
  from: ZonedTimestamp.optional().describe('At or after this time'),
  to: ZonedTimestamp.optional().describe('Before this time'),
}).strict();
export type PersonalDataReadQuery = z.infer<typeof PersonalDataReadQuery>;

export const DataRightsRequestBody = z.object({
  kind: z.enum(['export', 'erasure']).describe("export: everything held about the person as JSON; erasure: anonymise it"),
  policyholder_id: Uuid,
  reason: z.string().trim().min(1).max(1000).optional().describe('The request as the person made it (reference, channel)'),
}).strict();
export type DataRightsRequestBody = z.infer<typeof DataRightsRequestBody>;

export const DataRightsRequest = z.object({
  request_id: Uuid,
  kind: z.enum(['export', 'erasure']),
  policyholder_id: Uuid,
  status: z.enum(['queued', 'completed', 'failed', 'downloaded']).describe('An export is downloadable once: completed, then downloaded'),
  reason: z.string().nullable(),
  summary: z.record(z.string(), z.unknown()).nullable().describe('Rows exported or erased, per table'),
  requested_by: Uuid.nullable(),
  created_at: Timestamp,
  completed_at: Timestamp.nullable(),
  downloaded_at: Timestamp.nullable(),
});
export type DataRightsRequest = z.infer<typeof DataRightsRequest>;
export const DataRightsRequestPage = page(DataRightsRequest);
export const DataRightsRequestParams = z.object({ request_id: Uuid });
export const DataRightsRequestQuery = ListQuery.extend({ policyholder_id: Uuid.optional() }).strict();
export type DataRightsRequestQuery = z.infer<typeof DataRightsRequestQuery>;
export const PersonalDataExportSchema = z.object({
  format: z.literal('agent-mitra.personal-data-export'),
  version: z.literal([1, 2]).describe('2 since the read audit is one entry per read (record_ids); an export made before that and not yet downloaded is 1'),
  generated_at: Timestamp,
  policyholder: z.record(z.string(), z.unknown()),
  sections: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))),
});

export const RETENTION_CLASSES = ['closed_claims', 'ended_sessions', 'audit_log', 'read_audit', 'import_staging'] as const;
export const RetentionClass = z.enum(RETENTION_CLASSES);
export type RetentionClass = z.infer<typeof RetentionClass>;
export const RetentionPeriod = z.object({
  data_class: RetentionClass,
  days: z.number().int(),
  source: z.enum(['default', 'tenant']),
  description: z.string(),
});
export const RetentionPeriodList = z.object({ data: z.array(RetentionPeriod) });
export const RetentionPeriodParams = z.object({ data_class: RetentionClass });
export const RetentionPeriodBody = z.object({ days: z.number().int().min(1).max(36500) }).strict();
export const RetentionPurgeReport = z.object({
  ran_at: Timestamp,
  purged: z.record(z.string(), z.number().int()).describe('Rows removed or emptied, per data class'),
});
export type RetentionPurgeReport = z.infer<typeof RetentionPurgeReport>;

/** What a consent is for: marketing messages, and analytics (the claims backtest's use of stored claims). */
export const CONSENT_PURPOSES = ['marketing', 'analytics'] as const;
export const ConsentPurpose = z.enum(CONSENT_PURPOSES);
export type ConsentPurpose = z.infer<typeof ConsentPurpose>;
export const CONSENT_CHANNELS = ['app', 'web', 'agent', 'paper', 'email', 'sms', 'call_centre'] as const;

export const ConsentNoticeBody = z.object({
  purpose: ConsentPurpose,
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(20000).describe('The notice as the person reads it'),
  language: z.string().trim().min(2).max(10).optional(),
}).strict();
export type ConsentNoticeBody = z.infer<typeof ConsentNoticeBody>;
export const ConsentNotice = z.object({
  notice_id: Uuid, purpose: z.string(), version: z.number().int(), title: z.string(), body: z.string(), language: z.string(),
  created_by: Uuid.nullable(), created_at: Timestamp,
});
export const ConsentNoticeList = z.object({ data: z.array(ConsentNotice) });
export const ConsentNoticeQuery = z.object({ purpose: ConsentPurpose.optional() }).strict();

export const ConsentBody = z.object({
  purpose: ConsentPurpose,
  status: z.enum(['given', 'withdrawn']),
  channel: z.enum(CONSENT_CHANNELS),
  notice_id: Uuid.optional().describe('The notice the person was shown; by default the latest of the purpose'),
}).strict();
export type ConsentBody = z.infer<typeof ConsentBody>;
export const ConsentRecord = z.object({
  consent_id: Uuid, policyholder_id: Uuid, purpose: z.string(), status: z.enum(['given', 'withdrawn']), channel: z.string(),
  notice_id: Uuid.nullable(), notice_version: z.number().int().nullable(), recorded_by: Uuid.nullable(), recorded_at: Timestamp,
});
export type ConsentRecord = z.infer<typeof ConsentRecord>;
export const PolicyholderConsents = z.object({
  current: z.record(z.string(), z.enum(['given', 'withdrawn'])).describe('The consent in force per purpose (absent: never asked)'),
  history: z.array(ConsentRecord).describe('Every decision, newest first'),
});
