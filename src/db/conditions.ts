import type { Knex } from 'knex';
import { CONDITION_FIELDS, type ConditionFieldType, type Subject } from '../../schemas/access.js';
import type { AllowedRecords } from '../auth/ability.js';

// Role conditions as SQL, for lists: a page asks the database only for what the caller may see. The conditions
// were validated at role creation (schemas/roles.ts): declared fields, $eq/$ne/$in/$nin, values of the field's
// type. Each translation matches CASL's in-memory check of a record exactly: text and uuid compare as text (as the
// strings CASL sees), null matches only null, $ne and $nin also match null.

/** How each field a condition may test is reached in a list query: a column or a trusted SQL expression. */
export type ConditionColumns = Readonly<Record<string, string>>;

type Where = Knex.QueryBuilder;

function typed(expression: string, type: ConditionFieldType): string {
  return type === 'boolean' ? `(${expression})` : `(${expression})::text`;
}

function equals(where: Where, column: string, value: unknown): void {
  if (value === null) where.whereRaw(`${column} IS NULL`);
  else where.whereRaw(`${column} = ?`, [value as Knex.Value]);
}

function inList(column: string, type: ConditionFieldType, values: readonly unknown[]): [string, Knex.Value[]] {
  if (!values.length) return ['false', []];
  return [`${column} = ANY(ARRAY[${values.map(() => '?').join(', ')}]::${type === 'boolean' ? 'boolean' : 'text'}[])`, values as Knex.Value[]];
}

function applyOperator(where: Where, column: string, type: ConditionFieldType, operator: string, operand: unknown): void {
  if (operator === '$eq') return equals(where, column, operand);
  if (operator === '$ne') {
    if (operand === null) where.whereRaw(`${column} IS NOT NULL`);
    else where.whereRaw(`${column} IS DISTINCT FROM ?`, [operand as Knex.Value]);
    return;
  }
  const [sql, bindings] = inList(column, type, Array.isArray(operand) ? operand : []);
  if (operator === '$in' && Array.isArray(operand)) where.whereRaw(sql, bindings);
  else if (operator === '$nin' && Array.isArray(operand)) where.whereRaw(`(${column} IS NULL OR NOT (${sql}))`, bindings);
  else where.whereRaw('false');
}

function applyConditions(where: Where, subject: Subject, conditions: Record<string, unknown>, columns: ConditionColumns): void {
  const fields = CONDITION_FIELDS[subject] ?? {};
  for (const [field, test] of Object.entries(conditions)) {
    const type = Object.hasOwn(fields, field) ? fields[field] : undefined;
    const expression = Object.hasOwn(columns, field) ? columns[field] : undefined;
    // Validation keeps anything else out; should it get in, it matches nothing rather than everything.
    if (!type || !expression) {
      where.whereRaw('false');
      continue;
    }
    const column = typed(expression, type);
    if (test !== null && typeof test === 'object' && !Array.isArray(test)) {
      for (const [operator, operand] of Object.entries(test)) applyOperator(where, column, type, operator, operand);
    } else if (Array.isArray(test)) {
      where.whereRaw('false');
    } else {
      equals(where, column, test);
    }
  }
}

/** Narrows `query` to the records `allowed` admits: every one, none, or those matching any rule's conditions. */
export function whereAllowed(query: Where, subject: Subject, allowed: AllowedRecords, columns: ConditionColumns): Where {
  if (allowed.all) return query;
  if (!allowed.anyOf.length) return query.whereRaw('false');
  return query.where((any) => {
    for (const conditions of allowed.anyOf) any.orWhere((rule) => applyConditions(rule, subject, conditions, columns));
  });
}
