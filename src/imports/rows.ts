import { z } from 'zod';
import { CreatePolicyBody } from '../../schemas/policies.js';
import { CreatePolicyholderBody } from '../../schemas/policyholders.js';
import type { ImportKind, RowError } from '../../schemas/imports.js';
import { toNumeric, toPaise } from '../money.js';
import { termsProblems } from '../policies/service.js';
import type { DataLine } from './file.js';

// One file line -> the body the policyholder or policy API would take, checked with that API's own zod schema.
// Cells are text; the columns below say how each becomes a JSON value. Empty cells are left out.

type Conversion = 'text' | 'number' | 'boolean';

const CUSTOMER_COLUMNS: Record<string, Conversion> = {
  customer_id: 'text', salutation: 'text', first_name: 'text', last_name: 'text', date_of_birth: 'text', gender: 'text',
  email: 'text', phone_number: 'text', marital_status: 'text', occupation: 'text', annual_income: 'number',
  preferred_language: 'text', marketing_consent: 'boolean',
};
const ADDRESS_COLUMNS = ['address_line1', 'address_line2', 'city', 'state', 'pincode', 'country'] as const;

const POLICY_COLUMNS: Record<string, Conversion> = {
  customer_id: 'text', policy_number: 'text', provider_policy_id: 'text', policy_type: 'text', plan_name: 'text',
  plan_code: 'text', sum_assured: 'number', premium_amount: 'number', premium_frequency: 'text', policy_term_years: 'number',
  premium_paying_term_years: 'number', start_date: 'text', application_date: 'text', grace_period_days: 'number',
  revival_period_months: 'number',
};

export const IMPORT_COLUMNS: Record<ImportKind, readonly string[]> = {
  customers: [...Object.keys(CUSTOMER_COLUMNS), ...ADDRESS_COLUMNS],
  policies: Object.keys(POLICY_COLUMNS),
};

/** The key a re-run matches on, required in every line: the insurer's customer id or the policy number. */
export const MATCH_KEY: Record<ImportKind, string> = { customers: 'customer_id', policies: 'policy_number' };

const CustomerLine = CreatePolicyholderBody.omit({ agent_id: true, user_id: true })
  .extend({ customer_id: CreatePolicyholderBody.shape.customer_id.unwrap().unwrap() });
const PolicyLine = CreatePolicyBody.omit({ policyholder_id: true, nominee_details: true, coverage_details: true, exclusions: true })
  .extend({ customer_id: CreatePolicyholderBody.shape.customer_id.unwrap().unwrap(), policy_number: z.string().min(1).pipe(
    CreatePolicyBody.shape.policy_number.unwrap()) });

const DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;
const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);

function convert(value: string, conversion: Conversion): unknown {
  if (conversion === 'number') return DECIMAL.test(value.replaceAll(',', '')) ? Number(value.replaceAll(',', '')) : value;
  if (conversion === 'boolean') {
    const lower = value.toLowerCase();
    return TRUE.has(lower) ? true : FALSE.has(lower) ? false : value;
  }
  return value;
}

function bodyOf(cells: Record<string, string>, columns: Record<string, Conversion>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [column, conversion] of Object.entries(columns)) {
    const value = cells[column];
    if (value) body[column] = convert(value, conversion);
  }
  return body;
}

function customerBody(cells: Record<string, string>): Record<string, unknown> {
  const body = bodyOf(cells, CUSTOMER_COLUMNS);
  const address = Object.fromEntries(ADDRESS_COLUMNS.filter((column) => cells[column])
    .map((column) => [column === 'address_line1' ? 'line1' : column === 'address_line2' ? 'line2' : column, cells[column]]));
  if (Object.keys(address).length) body.address = address;
  return body;
}

export type CheckedLine =
  | { readonly line: number; readonly raw: Record<string, string>; readonly values: Record<string, unknown>; readonly errors: null }
  | { readonly line: number; readonly raw: Record<string, string>; readonly values: null; readonly errors: RowError[] };

function issues(error: z.ZodError): RowError[] {
  return error.issues.map((issue) => ({
    column: issue.path.length ? issue.path.map(String).join('.').replace(/^address\.line(\d)$/, 'address_line$1').replace(/^address\./, '') : 'line',
    message: issue.message,
  }));
}

/** Validates one line; the values are what the writer stores (money as NUMERIC text, documents as JSON). */
export function checkLine(kind: ImportKind, dataLine: DataLine): CheckedLine {
  const checked = checkCells(kind, dataLine);
  if (!dataLine.stray) return checked;
  return { line: dataLine.line, raw: dataLine.cells, values: null, errors: [{ column: 'line', message: dataLine.stray }, ...(checked.errors ?? [])] };
}

function checkCells(kind: ImportKind, { line, cells }: DataLine): CheckedLine {
  if (kind === 'customers') {
    const parsed = CustomerLine.safeParse(customerBody(cells));
    if (!parsed.success) return { line, raw: cells, values: null, errors: issues(parsed.error) };
    const { annual_income: income, ...rest } = parsed.data;
    return { line, raw: cells, errors: null, values: { ...rest, annual_income: income === undefined || income === null ? null : toNumeric(toPaise(income)) } };
  }
  const parsed = PolicyLine.safeParse(bodyOf(cells, POLICY_COLUMNS));
  if (!parsed.success) return { line, raw: cells, values: null, errors: issues(parsed.error) };
  // What POST /policies refuses beyond its schema, checked here too: a dry run counts as valid only what the write takes.
  const problems = termsProblems(parsed.data);
  if (problems.length) {
    return { line, raw: cells, values: null, errors: problems.map((problem) => ({ column: problem.path.replace(/^body\./, ''), message: problem.message })) };
  }
  return { line, raw: cells, errors: null, values: parsed.data };
}

/** A checker of one file's lines, in file order: it also refuses a match key used by an earlier line of the file. */
export function lineChecker(kind: ImportKind): (line: DataLine) => CheckedLine {
  const firstLineOf = new Map<string, number>();
  const key = MATCH_KEY[kind];
  return (dataLine) => {
    const checked = checkLine(kind, dataLine);
    if (checked.errors) return checked;
    const value = String(checked.values[key]);
    const first = firstLineOf.get(value);
    if (first !== undefined) {
      return { line: checked.line, raw: checked.raw, values: null, errors: [{ column: key, message: `repeats line ${first}` }] };
    }
    firstLineOf.set(value, checked.line);
    return checked;
  };
}

/** Which kind a file holds when the request does not say: a policy file has policy columns. */
export function inferKind(headers: readonly string[]): ImportKind {
  return headers.includes('policy_type') || headers.includes('sum_assured') ? 'policies' : 'customers';
}
