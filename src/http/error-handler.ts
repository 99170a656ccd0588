/** The one place an error becomes an HTTP response: `{ error: { code, message, details, correlationId } }`. */
import type { ErrorRequestHandler, Response } from 'express';
import { correlationId } from '../context.ts';
import { AppError, toAppError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** body-parser's error types, mapped to our codes. */
const PARSER_ERRORS: Record<string, [ErrorCode, string]> = {
  'entity.parse.failed': ['malformed_json', 'The request body is not valid JSON.'],
  'entity.too.large': ['payload_too_large', 'The request body is too large.'],
  'encoding.unsupported': ['unsupported_media_type', 'The request body encoding is not supported; send UTF-8.'],
  'charset.unsupported': ['unsupported_media_type', 'The request body charset is not supported; send UTF-8.'],
  'request.aborted': ['validation_failed', 'The request was aborted before its body arrived.'],
};

export function sendError(res: Response, err: AppError): void {
  if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.ceil(err.retryAfterSeconds)));
  res.status(err.status).json({
    error: { code: err.code, message: err.message, details: err.details ?? null, correlationId: correlationId() },
  });
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const parserType = (err as { type?: string })?.type;
    const mapped = parserType ? PARSER_ERRORS[parserType] : undefined;
    const appErr = mapped ? new AppError(mapped[0], mapped[1]) : toAppError(err);
    if (appErr.status >= 500) logger.error({ err, method: req.method, path: req.path }, 'request failed');
    else logger.debug({ code: appErr.code, method: req.method, path: req.path }, appErr.message);
    if (res.headersSent) {
      res.end();
      return;
    }
    sendError(res, appErr);
  };
}
