/**
 * Headers for the HTML pages Patchbay serves (/docs, the OAuth callback; the Slack install page
 * can reuse them): a Content-Security-Policy, no framing, no MIME sniffing and no Referer, so an
 * OAuth `code` in a callback URL does not leak to another site.
 */
import type { RequestHandler, Response } from 'express';

export type CspDirectives = Record<string, string>;

/** Same-origin only: no inline scripts, no plugins, no framing, forms post back here only. */
export const BASE_CSP: CspDirectives = {
  'default-src': "'self'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data:",
  'connect-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'self'",
  'frame-ancestors': "'none'",
};

export const cspHeader = (directives: CspDirectives) =>
  Object.entries(directives)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');

/** The headers themselves, for pages written without Express (`res.writeHead`). */
export function htmlSecurityHeaderValues(csp: CspDirectives = {}): Record<string, string> {
  return {
    'Content-Security-Policy': cspHeader({ ...BASE_CSP, ...csp }),
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

/** Sets the HTML security headers on one response; `csp` overrides or adds directives. */
export function setHtmlSecurityHeaders(res: Pick<Response, 'setHeader'>, csp: CspDirectives = {}): void {
  for (const [name, value] of Object.entries(htmlSecurityHeaderValues(csp))) res.setHeader(name, value);
}

/** Middleware form of setHtmlSecurityHeaders, for a path prefix. */
export const htmlSecurityHeaders =
  (csp: CspDirectives = {}): RequestHandler =>
  (_req, res, next) => {
    setHtmlSecurityHeaders(res, csp);
    next();
  };

/** Swagger UI sets inline styles on its elements; its scripts all come from /docs/assets. */
export const DOCS_CSP: CspDirectives = { 'style-src': "'self' 'unsafe-inline'" };

/** The OAuth callback page (and the Slack install pages) are self-contained: one inline stylesheet, nothing else. */
export const CALLBACK_CSP: CspDirectives = {
  'default-src': "'none'",
  'script-src': "'none'",
  'style-src': "'unsafe-inline'",
  'img-src': "'none'",
  'connect-src': "'none'",
  'form-action': "'none'",
};
