import type { z } from 'zod';
import { AppError } from '../errors.ts';

export type Location = 'params' | 'query' | 'body';

/** Parses one part of a request; failures become `validation_failed` with every issue listed. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, location: Location): z.output<T> {
  if (location === 'body' && value === undefined && !schema.safeParse(undefined).success) {
    throw new AppError('validation_failed', 'The request needs a JSON body (Content-Type: application/json).', {
      details: [{ location, path: '', message: 'body is missing' }],
    });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({
    location,
    path: i.path.join('.'),
    message: i.message,
    code: i.code,
  }));
  const first = details[0];
  const where = first ? `${location}${first.path ? `.${first.path}` : ''}` : location;
  throw new AppError('validation_failed', `Invalid request: ${where} ${first?.message ?? 'is invalid'}.`, { details });
}
