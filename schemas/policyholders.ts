import { z } from 'zod';
import { Email, IdParams, IsoDate, ListQuery, page, PhoneNumber, Rupees, Timestamp, Uuid } from './common.js';
import { AadhaarNumber, BankAccount, Pan, RevealQuery } from './sensitive-fields.js';
import { businessToday } from '../src/policies/calendar.js';

export const PolicyholderStatus = z.enum(['active', 'inactive']);
const Text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
/** A birth or diagnosis: a real date from 1900 on, not after today in India. */
const PastDate = IsoDate.refine((text) => !/^\d{4}-\d{2}-\d{2}$/.test(text) || text <= businessToday(), 'must not be in the future');
const CustomerId = z.string().trim().toUpperCase().regex(/^[A-Z0-9][A-Z0-9/_-]{0,99}$/, 'must be letters, digits, /, _ or -');

export const Address = z.object({
  line1: Text(200),
  line2: Text(200).optional(),
  city: Text(100),
  state: Text(100).optional(),
  pincode: z.string().regex(/^[1-9][0-9]{5}$/, 'must be a 6-digit PIN code').optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as IN').default('IN'),
}).strict();

/** A condition the policyholder had before cover began: claims read it for pre-existing-disease waiting periods. */
export const PreExistingCondition = z.object({
  condition: Text(200),
  diagnosed_on: PastDate.optional(),
  notes: Text(1000).optional(),
}).strict();

export const Nominee = z.object({
  name: Text(200),
  relationship: z.enum(['spouse', 'child', 'parent', 'sibling', 'other']),
  date_of_birth: PastDate.optional(),
  share_percent: z.number().int().min(1).max(100).optional(),
}).strict();

const Fields = {
  customer_id: CustomerId.nullable().optional().describe("The insurer's own customer id, unique in the tenant"),
  salutation: z.enum(['Mr', 'Mrs', 'Ms', 'Dr', 'Shri', 'Smt']).nullable().optional(),
  first_name: Text(100),
  last_name: Text(100).nullable().optional(),
  date_of_birth: PastDate.nullable().optional(),
  gender: z.enum(['male', 'female', 'other']).nullable().optional(),
  email: Email.nullable().optional(),
  phone_number: PhoneNumber.nullable().optional(),
  address: Address.nullable().optional(),
  marital_status: z.enum(['single', 'married', 'divorced', 'widowed']).nullable().optional(),
  occupation: Text(100).nullable().optional(),
  annual_income: Rupees.nullable().optional(),
  pre_existing_conditions: z.array(PreExistingCondition).max(50).optional().describe('Health data: stored encrypted'),
  pan: Pan.nullable().optional().describe('Stored encrypted; answered masked (XXXXX1234X) unless revealed'),
  aadhaar_number: AadhaarNumber.nullable().optional().describe('Stored encrypted; answered masked (XXXX-XXXX-1234) unless revealed'),
  bank_account: BankAccount.nullable().optional().describe('Stored encrypted; the account number answered masked unless revealed'),
  nominee_details: Nominee.nullable().optional(),
  preferred_language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, 'must be a language tag such as en or hi-IN').optional(),
  marketing_consent: z.boolean().optional(),
  agent_id: Uuid.optional().describe('The servicing agent; by default your own. Must be an agent you can see'),
  user_id: Uuid.nullable().optional().describe("Links a tenant user as this policyholder's login (needs update on User)"),
};

export const CreatePolicyholderBody = z.object(Fields).strict();
export type CreatePolicyholderBody = z.infer<typeof CreatePolicyholderBody>;

export const PatchPolicyholderBody = z.object({
  ...Fields,
  first_name: Text(100).optional(),
  status: PolicyholderStatus.optional().describe('inactive deactivates (as DELETE does); active reactivates'),
}).strict().refine((body) => Object.keys(body).length > 0, { message: 'at least one field is required' });
export type PatchPolicyholderBody = z.infer<typeof PatchPolicyholderBody>;

export const Policyholder = z.object({
  policyholder_id: Uuid,
  agent_id: Uuid,
  user_id: Uuid.nullable(),
  customer_id: z.string().nullable(),
  salutation: z.string().nullable(),
  first_name: z.string(),
  last_name: z.string().nullable(),
  date_of_birth: z.string().nullable(),
  gender: z.string().nullable(),
  email: z.string().nullable(),
  phone_number: z.string().nullable(),
  address: Address.nullable(),
  marital_status: z.string().nullable(),
  occupation: z.string().nullable(),
  annual_income: z.number().nullable().describe('Rupees'),
  pre_existing_conditions: z.array(PreExistingCondition),
  pan: z.string().nullable().describe('Masked (XXXXX1234X) unless revealed'),
  aadhaar_number: z.string().nullable().describe('Masked (XXXX-XXXX-1234) unless revealed'),
  bank_account: z.object({ account_number: z.string(), ifsc: z.string(), holder_name: z.string().optional() }).nullable()
    .describe('account_number masked (last four digits) unless revealed'),
  nominee_details: Nominee.nullable(),
  preferred_language: z.string(),
  marketing_consent: z.boolean(),
  status: PolicyholderStatus,
  deactivated_at: Timestamp.nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Policyholder = z.infer<typeof Policyholder>;
export const PolicyholderPage = page(Policyholder);

export const PolicyholderListQuery = ListQuery.extend({
  q: z.string().trim().min(2, 'must be at least 2 characters').max(100).optional()
    .describe('Every word must begin the first or last name, the e-mail, the phone number (its last ten digits) or the customer id; case-insensitive'),
  status: PolicyholderStatus.optional(),
  agent_id: Uuid.optional(),
  pan: Pan.optional().describe('Exact match, through a blind index'),
  aadhaar_number: AadhaarNumber.optional().describe('Exact match, through a blind index'),
}).strict();
export type PolicyholderListQuery = z.infer<typeof PolicyholderListQuery>;

export const PolicyholderParams = IdParams('policyholder_id');

export const PolicyholderReadQuery = z.object(RevealQuery).strict()
  .refine((query) => !query.reveal || query.purpose, { path: ['purpose'], message: 'is required with reveal' });
export type PolicyholderReadQuery = z.infer<typeof PolicyholderReadQuery>;
