// Input of a use case is checked first (house rule 7): every structural
// problem at once, the first one named in the message.
import type { Static, TSchema } from 'typebox';
import { EixError } from '../domain/errors.js';
import { checkSchema, type Problem } from '../domain/problems.js';

export function parseInput<S extends TSchema>(
  schema: S,
  input: unknown,
  fieldNames: Readonly<Record<string, string>> = {},
): Static<S> {
  const problems = checkSchema(schema, input, fieldNames);
  if (problems.length > 0) throw invalid(problems);
  return input as Static<S>;
}

export function invalid(problems: readonly Problem[]): EixError {
  const first = problems[0]!;
  return new EixError('input.invalid', { field: first.path, problems }, first.message);
}
