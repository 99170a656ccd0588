/**
 * Rejects a path segment that does not percent-decode as UTF-8 (`%ZZ`, `%C0%AF`) with a 400
 * naming the route parameter, before the router tries to decode it and throws a bare URIError.
 */
import type { RequestHandler } from 'express';
import { AppError } from '../errors.ts';

const decodes = (segment: string) => {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
};

export const badPathEncoding = (param: string) =>
  new AppError('validation_failed', `Invalid request: params.${param} is not valid percent-encoded UTF-8.`, {
    details: [{ location: 'params', path: param, message: 'is not valid percent-encoded UTF-8', code: 'invalid_encoding' }],
  });

/** `routePaths` are Express-style (`/connections/:id/logs`) relative to where the guard is mounted. */
export function pathEncodingGuard(routePaths: string[]): RequestHandler {
  const patterns = routePaths.map((p) => p.split('/'));
  return (req, _res, next) => {
    const segments = req.path.replace(/\/+$/, '').split('/');
    const bad = segments.findIndex((s) => s.includes('%') && !decodes(s));
    if (bad < 0) return next();
    const pattern = patterns.find((p) => p.length === segments.length && p.every((seg, i) => seg.startsWith(':') || seg.toLowerCase() === segments[i]!.toLowerCase()));
    const name = pattern?.[bad]?.startsWith(':') ? pattern[bad].slice(1) : 'path';
    next(badPathEncoding(name));
  };
}
