import { ConflictError } from '../errors.js';

/**
 * An erased policyholder (DPDP) stays anonymised: anything personal written for them again (a change, a dependant,
 * a claim or its paperwork, a nominee, a consent) would be beyond any further export or erasure. 409 when erased.
 */
export function refuseIfErased(erasedAt: Date | null | undefined): void {
  if (erasedAt) throw new ConflictError('The policyholder has been erased.', { code: 'data_protection.erased' });
}
