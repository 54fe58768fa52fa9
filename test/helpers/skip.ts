/** Skips a test that does not apply to this engine or owner, printing why in the run's output. */
export function skipBecause(context: Mocha.Context, reason: string): never {
  console.log(`      - skipped "${context.test?.title ?? ''}": ${reason}`);
  return context.skip();
}
