/**
 * Checks every string of a request part (keys included) before its schema runs: PostgreSQL
 * cannot store a NUL byte or an unpaired UTF-16 surrogate, and without this check they reach a
 * query and come back as a database error instead of a 400 that names the field.
 */
import { AppError } from '../errors.ts';
import type { Location } from './validate.ts';

export type InputIssue = { location: Location; path: string; message: string; code: string };

/** Deeper than any schema here needs; also keeps the walk (and zod) far from the stack limit. */
export const MAX_DEPTH = 32;
/** Keys that would reach an object's prototype if any code merged the value into another object. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_ISSUES = 20;

/** Why a string cannot be accepted, or undefined when it can. */
export function textProblem(s: string): { code: string; message: string } | undefined {
  if (s.includes('\u0000')) return { code: 'nul_character', message: 'must not contain NUL (\\u0000) characters' };
  if (!s.isWellFormed()) return { code: 'lone_surrogate', message: 'must not contain unpaired UTF-16 surrogates (such as \\ud800)' };
  return undefined;
}

/** A key made printable for an issue path (the bad characters themselves are not echoed). */
const printable = (key: string) => key.replaceAll('\u0000', '\\u0000').toWellFormed();

/** Every unsafe string, prototype key and over-deep nesting in `value`, iteratively (no recursion on client input). */
export function inputIssues(value: unknown, location: Location): InputIssue[] {
  const issues: InputIssue[] = [];
  const stack: Array<{ v: unknown; path: string[] }> = [{ v: value, path: [] }];
  while (stack.length && issues.length < MAX_ISSUES) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const p = textProblem(v);
      if (p) issues.push({ location, path: path.join('.'), ...p });
      continue;
    }
    if (!v || typeof v !== 'object') continue;
    if (path.length >= MAX_DEPTH) {
      issues.push({ location, path: path.join('.'), code: 'too_deep', message: `is nested more than ${MAX_DEPTH} levels deep` });
      continue;
    }
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (const [key, child] of entries) {
      const keyPath = [...path, printable(key)];
      const p = textProblem(key);
      if (p) issues.push({ location, path: keyPath.join('.'), code: p.code, message: `has a key that ${p.message}` });
      else if (!Array.isArray(v) && PROTOTYPE_KEYS.has(key)) {
        issues.push({ location, path: keyPath.join('.'), code: 'prototype_key', message: `is not an accepted key` });
      } else stack.push({ v: child, path: keyPath });
    }
  }
  return issues;
}

/** Throws `validation_failed` naming the first bad field when any part of the request holds an unsafe value. */
export function assertSafeInput(parts: Partial<Record<Location, unknown>>): void {
  const issues = (Object.entries(parts) as Array<[Location, unknown]>).flatMap(([location, v]) => (v === undefined ? [] : inputIssues(v, location)));
  const first = issues[0];
  if (!first) return;
  throw new AppError('validation_failed', `Invalid request: ${first.location}${first.path ? `.${first.path}` : ''} ${first.message}.`, { details: issues });
}
