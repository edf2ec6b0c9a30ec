import { getMetadataStorage, validateOrReject, type ValidatorOptions } from 'class-validator';
import { ArgumentValidationError } from 'type-graphql';

/** The class-validator options of every argument (what type-graphql's `validate: {...}` setting would pass). */
export const VALIDATOR_OPTIONS: ValidatorOptions = { forbidUnknownValues: false, stopAtFirstError: true, skipMissingProperties: true };

const hasRules = new WeakMap<object, boolean>();

function rulesOf(target: object): boolean {
  let known = hasRules.get(target);
  if (known === undefined) {
    // Inherited decorators count (getTargetValidationMetadatas walks the prototype chain).
    known = getMetadataStorage().getTargetValidationMetadatas(target as () => void, '', true, false).length > 0;
    hasRules.set(target, known);
  }
  return known;
}

/**
 * type-graphql's `validateFn`: class-validator runs only on argument classes that declare rules.
 * With the built-in `validate: true`, every resolver argument object went through class-validator
 * (and a `require('class-validator')`, resolved anew on each call) — 80 times per article page for
 * the `first:` of each claim's evidence and verdicts, whose ConnectionArgs has no rules at all.
 * Classes with rules are validated exactly as before (same options, same ArgumentValidationError).
 */
export async function validateArguments(value: unknown): Promise<void> {
  if (value === null || typeof value !== 'object') return;
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) {
    if (item === null || typeof item !== 'object' || !rulesOf((item as object).constructor)) continue;
    try {
      await validateOrReject(item as object, VALIDATOR_OPTIONS);
    } catch (error) {
      throw new ArgumentValidationError(error as ConstructorParameters<typeof ArgumentValidationError>[0]);
    }
  }
}
