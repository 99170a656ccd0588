/**
 * Browser-facing Slack pages (/slack/install redirects to Slack, /slack/oauth_redirect shows a
 * page): never framed, never sniffed, no referrer leaking the OAuth code, nothing loaded.
 * A local helper until src/http/security-headers.ts (another change) can be shared here.
 */
import type { NextFunction, Request, Response } from 'express';

export const SLACK_PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
});

export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  for (const [name, value] of Object.entries(SLACK_PAGE_HEADERS)) res.setHeader(name, value);
  next();
}
