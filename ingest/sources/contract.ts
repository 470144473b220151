// Validate an upstream payload against its zod schema, or throw a ContractError that names every bad JSON
// path (shared by every source's normalize()).
import type { z } from 'zod';
import { ContractError, formatJsonPath, type ContractIssue } from '../../src/core/errors.ts';

/** zod issues as contract issues, their paths under `pathPrefix`. */
export function contractIssues(error: z.ZodError, pathPrefix: readonly PropertyKey[] = []): ContractIssue[] {
  return error.issues.map((issue) => ({ path: formatJsonPath([...pathPrefix, ...issue.path]), message: issue.message }));
}

export function parseSourceContract<S extends z.ZodType>(
  source: string,
  schema: S,
  value: unknown,
  endpoint: string,
  pathPrefix: readonly PropertyKey[] = [],
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ContractError(source, endpoint, contractIssues(result.error, pathPrefix));
}
