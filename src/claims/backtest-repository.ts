import type { BacktestResult } from '../../schemas/claims.js';
import type { PolicyTermsDocument } from '../../schemas/policy-terms.js';
import type { Tx } from '../db/scope.js';

// terms_backtests: one row per backtest run of draft terms (the request, its status, and the report once done).

export interface BacktestRow {
  readonly backtest_id: string;
  readonly policy_terms_id: string;
  readonly draft: PolicyTermsDocument;
  readonly claim_limit: number;
  readonly status: 'queued' | 'running' | 'completed' | 'failed';
  readonly report: BacktestResult | null;
  readonly last_error: string | null;
  readonly attempts: number;
  readonly requested_by: string | null;
  readonly created_at: Date;
  readonly started_at: Date | null;
  readonly finished_at: Date | null;
}

export async function insertBacktest(tx: Tx, values: { policy_terms_id: string; draft: PolicyTermsDocument; claim_limit: number;
  requested_by: string | null }): Promise<string> {
  const [row] = await tx('terms_backtests').insert({ ...values, draft: JSON.stringify(values.draft) }).returning('backtest_id');
  return (row as { backtest_id: string }).backtest_id;
}

export async function findBacktest(tx: Tx, backtestId: string, options: { forUpdate?: boolean } = {}): Promise<BacktestRow | undefined> {
  const query = tx('terms_backtests').first('*').where({ backtest_id: backtestId });
  return options.forUpdate ? query.forUpdate() : query;
}

export async function updateBacktest(tx: Tx, backtestId: string, values: Record<string, unknown>): Promise<void> {
  await tx('terms_backtests').update(values).where({ backtest_id: backtestId });
}
