// SET takes no bind parameters, so every value spliced into one is checked against a strict shape first.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SCHEMA_NAME = /^[a-z][a-z0-9_]{1,62}$/;

export function assertUuid(value: string): string {
  if (!UUID.test(value)) throw new Error(`not a uuid: ${JSON.stringify(value)}`);
  return value.toLowerCase();
}

export function assertSchemaName(value: string): string {
  if (!SCHEMA_NAME.test(value)) throw new Error(`not a schema name: ${JSON.stringify(value)}`);
  return value;
}

/** A PostgreSQL array literal of uuids, e.g. '{a,b}', for SET LOCAL app.agent_ids. */
export function uuidArrayLiteral(values: readonly string[]): string {
  return `{${values.map(assertUuid).join(',')}}`;
}
