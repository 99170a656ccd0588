/** The one place an error becomes an HTTP response: `{ error: { code, message, details, correlationId } }`. */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { correlationId } from '../context.ts';
import { AppError, toAppError } from '../errors.ts';
import { scrubText, type Logger } from '../logger.ts';
import { badPathEncoding } from './path-encoding.ts';

type HttpErrorLike = { type?: unknown; status?: unknown; expose?: unknown; encoding?: unknown; charset?: unknown; message?: unknown };

const bodyIssue = (message: string) => [{ location: 'body', path: '', message }];
/** Header values echoed in a message are cut short and kept printable. */
const echo = (v: unknown) => String(v ?? '').replace(/[^\x20-\x7e]/g, '?').slice(0, 40);

/**
 * Errors raised before a handler runs (body-parser, the router) carry an http-errors status
 * but no AppError code: each becomes the specific 4xx it stands for, never a 500.
 */
function fromRequestPipeline(err: unknown, req: Request): AppError | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as HttpErrorLike;
  switch (e.type) {
    case 'entity.parse.failed':
      return new AppError('malformed_json', 'Invalid request: body is not valid JSON.', { details: bodyIssue('is not valid JSON') });
    case 'entity.too.large':
      return new AppError('payload_too_large', 'Invalid request: body is too large (at most 1 MB).', { details: bodyIssue('is too large') });
    case 'encoding.unsupported':
      return new AppError('unsupported_media_type', `Invalid request: body has Content-Encoding "${echo(e.encoding)}", which is not supported; send it uncompressed, or as gzip, deflate or br.`, {
        details: bodyIssue('has an unsupported Content-Encoding'),
      });
    case 'charset.unsupported':
      return new AppError('unsupported_media_type', `Invalid request: body charset "${echo(e.charset)}" is not supported; send UTF-8.`, { details: bodyIssue('has an unsupported charset') });
    case 'request.aborted':
      return new AppError('validation_failed', 'Invalid request: body was aborted before it arrived.', { details: bodyIssue('was aborted') });
    case 'request.size.invalid':
      return new AppError('validation_failed', 'Invalid request: body does not match its Content-Length.', { details: bodyIssue('does not match Content-Length') });
  }
  // The router failed to percent-decode a path parameter (the path guard normally answers first).
  if (err instanceof URIError && e.status === 400) return badPathEncoding('path');
  if (e.status === 400 && typeof e.type !== 'string' && req.get('content-encoding')) {
    // A body that is not what its Content-Encoding says (a plain JSON body labelled gzip or br).
    const enc = echo(req.get('content-encoding'));
    return new AppError('validation_failed', `Invalid request: body is not valid ${enc} data; send it uncompressed, or compressed as its Content-Encoding says.`, {
      details: bodyIssue(`could not be decoded as ${enc}`),
    });
  }
  // Any other client error http-errors marks as safe to show: keep its 4xx status.
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true) {
    const code = e.status === 413 ? 'payload_too_large' : e.status === 415 ? 'unsupported_media_type' : 'validation_failed';
    return new AppError(code, `Invalid request: it could not be read (${echo(e.message)}).`);
  }
  return undefined;
}

export function sendError(res: Response, err: AppError): void {
  if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.ceil(err.retryAfterSeconds)));
  res.status(err.status).json({
    error: { code: err.code, message: err.message, details: err.details ?? null, correlationId: correlationId() },
  });
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appErr = err instanceof AppError ? err : (fromRequestPipeline(err, req) ?? toAppError(err));
    if (appErr.status >= 500) logger.error({ err, method: req.method, path: scrubText(req.path) }, 'request failed');
    else logger.debug({ code: appErr.code, method: req.method, path: scrubText(req.path) }, appErr.message);
    if (res.headersSent) {
      res.end();
      return;
    }
    sendError(res, appErr);
  };
}
