/** Schemas shared by several endpoints: the error shape, pagination, ids. */
import './zod-openapi.ts';
import { z } from 'zod';
import { AppError, ERROR_CODES, type ErrorCode } from '../errors.ts';
import { EX } from './examples.ts';


const issueSchema = z
  .object({
    location: z.enum(['params', 'query', 'body', 'request']),
    path: z.string().openapi({ description: 'Dotted path of the field; empty for the whole part', example: 'displayName' }),
    message: z.string().openapi({ example: 'Too small: expected string to have >=1 characters' }),
    code: z.string().optional().openapi({ example: 'too_small' }),
  })
  .openapi('ValidationIssue');

// Each operation's responses carry an example per code it can answer; this is the shape they share.
export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]).openapi({ description: 'Stable snake_case code; the HTTP status follows from it' }),
      message: z.string().openapi({ description: 'What went wrong and what to do, for people', example: "Connection 'c0a8f3d2-6b1e-4c47-9a4e-2f5d8e1b7a90' was not found." }),
      details: z
        .union([z.array(issueSchema), z.record(z.string(), z.unknown()), z.null()])
        .openapi({ description: '`validation_failed`: the list of issues; other codes: an object of specifics, or null' }),
      correlationId: z.string().openapi({ description: 'Quote it when you report a problem', example: '9b1d3f5a-7c2e-4a68-b0d4-e6f8a1c3e5b7' }),
    }),
  })
  .openapi('Error');

export const uuidParam = z.uuid({ error: 'must be a UUID' });

/** `{ id }` path parameters, with an example id of the kind the path names. */
export const idParamsOf = (example: string) => z.object({ id: uuidParam.openapi({ example }) });

export const idParams = idParamsOf(EX.connectionId);

type Cursor = { t: string; id: string };

/**
 * What a cursor must decode to: the ISO time and UUID of a real row. Checked at the boundary so a
 * forged cursor (a non-UUID id, a year like +275760) is a 400, not a database error.
 */
const cursorContent = z.object({
  t: z.iso.datetime().refine((t) => {
    const ms = Date.parse(t);
    return ms >= 0 && ms < Date.UTC(10000, 0, 1); // 1970 to 9999: any row's creation time
  }),
  id: z.uuid(),
});

function parseCursor(cursor: string): { createdAt: Date; id: string } | undefined {
  try {
    const c = cursorContent.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return c.success ? { createdAt: new Date(c.data.t), id: c.data.id } : undefined;
  } catch {
    return undefined;
  }
}

export const cursorParam = z
  .string()
  .max(200)
  .refine((s) => parseCursor(s) !== undefined, { error: 'is not a valid cursor; pass the nextCursor of a previous page' })
  .openapi({ description: 'The `nextCursor` of the previous page', example: EX.cursor });

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'Page size (1–200, default 50)' }),
  cursor: cursorParam.optional(),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page', example: EX.cursor }),
  });

export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify({ t: createdAt.toISOString(), id } satisfies Cursor)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  const c = parseCursor(cursor);
  if (!c) {
    throw new AppError('validation_failed', 'Invalid request: query.cursor is not a valid cursor; pass the nextCursor of a previous page.', {
      details: [{ location: 'query', path: 'cursor', message: 'is not a valid cursor' }],
    });
  }
  return c;
}

/**
 * Keyset pagination newest-first on (createdAt, id): stable while rows are added.
 * Returns the MikroORM where-clause fragment for rows after the cursor.
 */
export function afterCursor(cursor: string | undefined): Record<string, unknown> {
  const c = decodeCursor(cursor);
  if (!c) return {};
  return { $or: [{ createdAt: { $lt: c.createdAt } }, { createdAt: c.createdAt, id: { $lt: c.id } }] };
}

export function pageOf<T extends { createdAt: Date; id: string }, R>(rows: T[], limit: number, map: (row: T) => R) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items.at(-1);
  return { data: items.map(map), nextCursor: more && last ? encodeCursor(last.createdAt, last.id) : null };
}

export { z };
