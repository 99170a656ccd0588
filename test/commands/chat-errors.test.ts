/**
 * Chat error texts come from the error-code table (src/errors.ts), like HTTP statuses and job
 * retries: every code renders as its row says, and our own failures never show their message.
 */
import { describe, expect, it } from 'vitest';
import { chatReplyOf } from '../../src/commands/chat-reply.ts';
import { renderText } from '../../src/commands/render-text.ts';
import { AppError, ERROR_CODES, type ErrorCode } from '../../src/errors.ts';

const command = { name: 'pause', usage: 'pause <connection> [reason…]', examples: ['pause hubspot'] };
const opts = { command, prefix: '/integrations', correlationId: 'cid-0123456789' };

describe('chat replies to errors, from the error-code table', () => {
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    const row = ERROR_CODES[code];
    it(`${code}: ${row.chat.icon} ${'then' in row.chat ? `then ${row.chat.then}` : ''}`, () => {
      const err = new AppError(code, 'The specific message.', {
        details: code === 'forbidden' ? { requiredRole: 'admin' } : null,
        ...(code === 'rate_limited' ? { retryAfterSeconds: 30 } : {}),
      });
      const reply = chatReplyOf(err, opts);
      const text = renderText(reply);
      expect(reply.visibility).toBe('ephemeral');
      expect(reply.error).toEqual({ code });
      expect(reply.text.startsWith(row.chat.icon)).toBe(true);
      if ('generic' in row.chat) {
        // Our own failures: the message may describe internals, so chat gets fixed words.
        expect(row.status).toBeGreaterThanOrEqual(500);
        expect(text).not.toContain('The specific message.');
        expect(text).toContain(row.chat.generic);
      } else {
        expect(reply.text).toContain('The specific message.');
      }
      const then = 'then' in row.chat ? row.chat.then : undefined;
      expect(text.includes('Usage: `/integrations pause <connection> [reason…]`')).toBe(then === 'usage');
      expect(text.includes('cid-0123456789')).toBe(then === 'reference');
      expect(text.includes('/integrations role @you admin')).toBe(then === 'role');
      if (code === 'rate_limited') expect(reply.text).toContain('Try again in 30 s.');
    });
  }

  it('never shows the text or stack of an unexpected error', () => {
    const reply = chatReplyOf(new TypeError("Cannot read properties of undefined (reading 'secret_token_value')"), opts);
    const text = renderText(reply);
    expect(reply.error).toEqual({ code: 'internal_error' });
    expect(text).not.toMatch(/secret_token_value|TypeError|at /);
    expect(text).toContain('Something went wrong on our side and nothing was changed.');
    expect(text).toContain('cid-0123456789');
  });
});
