import type { z } from 'zod';
import { AppError } from '../errors.ts';

export type Location = 'params' | 'query' | 'body';

export type Issue = { location: Location; path: string; message: string; code: string };

/** The `details` of a `validation_failed`: every issue, by location and dotted path. */
export function issuesOf(error: z.ZodError, location: Location): Issue[] {
  return error.issues.map((i) => ({ location, path: i.path.join('.'), message: i.message, code: i.code }));
}

/** The error a request gets for these issues (also used to build the OpenAPI examples). */
export function validationError(details: Issue[], location: Location): AppError {
  const first = details[0];
  const where = first ? `${location}${first.path ? `.${first.path}` : ''}` : location;
  return new AppError('validation_failed', `Invalid request: ${where} ${first?.message ?? 'is invalid'}.`, { details });
}

/** Parses one part of a request; failures become `validation_failed` with every issue listed. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, location: Location): z.output<T> {
  if (location === 'body' && value === undefined && !schema.safeParse(undefined).success) {
    throw new AppError('validation_failed', 'The request needs a JSON body (Content-Type: application/json).', {
      details: [{ location, path: '', message: 'body is missing' }],
    });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationError(issuesOf(result.error, location), location);
}
