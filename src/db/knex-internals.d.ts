// Knex's PostgreSQL dialect classes are not typed; we extend them to send BEGIN and the scope's SETs together.
declare module 'knex/lib/dialects/postgres/index.js' {
  const ClientPG: new (config: object) => object;
  export default ClientPG;
}
declare module 'knex/lib/dialects/postgres/execution/pg-transaction.js' {
  class TransactionPG {
    constructor(...args: unknown[]);
    userParams: Record<string, unknown> | undefined;
    begin(conn: unknown): Promise<unknown>;
    query(conn: unknown, sql: string): Promise<unknown>;
    commit(conn: unknown, value: unknown): Promise<unknown>;
  }
  export default TransactionPG;
}
