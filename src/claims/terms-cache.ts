import type { PolicyTermsDocument } from '../../schemas/policy-terms.js';
import type { Tx } from '../db/scope.js';
import { compileTerms } from './engine/index.js';
import type { CompiledTerms } from './engine/terms.js';
import { findTermsByVersionId } from './terms-repository.js';

// A version of policy terms never changes (an edit adds a version), so its document and compiled form (keyword
// tables, limits in paise) are kept by version id, a uuid unique across tenants. A submission then reads only
// which version is current, a few bytes, instead of the whole document, and does not compile it again. The
// version is still read from the tenant's own table, under its RLS, before the cache is asked.

const MAX_VERSIONS = 256;
const versions = new Map<string, { readonly terms: PolicyTermsDocument; readonly compiled: CompiledTerms }>();

export async function termsOfVersion(tx: Tx, versionId: string): Promise<{ terms: PolicyTermsDocument; compiled: CompiledTerms } | undefined> {
  const kept = versions.get(versionId);
  if (kept) return kept;
  const row = await findTermsByVersionId(tx, versionId);
  if (!row) return undefined;
  const entry = { terms: row.terms, compiled: compileTerms(row.terms) };
  if (versions.size >= MAX_VERSIONS) versions.delete(versions.keys().next().value as string);
  versions.set(versionId, entry);
  return entry;
}
