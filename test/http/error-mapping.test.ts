/** Only real connectivity errors are a 503; a value PostgreSQL refuses is the request's fault (400). */
import { ConnectionException, ServerException } from '@mikro-orm/postgresql';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isRetryable, toAppError } from '../../src/errors.ts';

const pgError = (code: string, message: string) => Object.assign(new pg.DatabaseError(message, message.length, 'error'), { code });
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect' });

describe('toAppError over PostgreSQL errors', () => {
  const badInput: Array<[string, string]> = [
    ['08P01', 'invalid message format'], // a NUL byte in the query text
    ['22P05', 'unsupported Unicode escape sequence'], // "\ud800" in jsonb
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22007', 'invalid input syntax for type timestamp with time zone: "+275760-09-13"'],
    ['22008', 'timestamp out of range'],
    ['22003', 'value "99999999999999999999" is out of range for type bigint'],
    ['22P02', 'invalid input syntax for type uuid: "x"'],
  ];
  for (const [code, message] of badInput) {
    it(`maps ${code} (${message}) to 400 validation_failed, raw and wrapped by MikroORM, and does not retry it`, () => {
      for (const err of [pgError(code, message), new ServerException(pgError(code, message)), new Error('query failed', { cause: pgError(code, message) })]) {
        const e = toAppError(err);
        expect(e.status, code).toBe(400);
        expect(e.code).toBe('validation_failed');
        expect(e.retryAfterSeconds).toBeUndefined();
        expect(e.details).toEqual([expect.objectContaining({ sqlstate: code })]);
        expect(e.message).not.toContain(message); // the database's text stays in the log
        expect(isRetryable(err)).toBe(false);
      }
    });
  }

  const outages: Array<[string, Error]> = [
    ['08006', pgError('08006', 'connection failure')],
    ['08003', pgError('08003', 'connection does not exist')],
    ['57P01', pgError('57P01', 'terminating connection due to administrator command')],
    ['57P03', pgError('57P03', 'the database system is starting up')],
    ['ECONNREFUSED', socketError('ECONNREFUSED')],
    ['ECONNREFUSED wrapped', new ConnectionException(socketError('ECONNREFUSED'))],
    ['Connection terminated', new Error('Connection terminated unexpectedly')],
  ];
  for (const [name, err] of outages) {
    it(`maps ${name} to 503 service_unavailable with Retry-After, retryable`, () => {
      const e = toAppError(err);
      expect(e.status).toBe(503);
      expect(e.code).toBe('service_unavailable');
      expect(e.retryAfterSeconds).toBe(5);
      expect(isRetryable(err)).toBe(true);
    });
  }

  it('keeps unique violations as 409 and unknown errors as 500 without their text', () => {
    expect(toAppError(pgError('23505', 'duplicate key')).status).toBe(409);
    const e = toAppError(new TypeError('x is undefined'));
    expect([e.status, e.code]).toEqual([500, 'internal_error']);
    expect(e.message).not.toContain('undefined');
  });
});

describe('toAppError over integrity violations', () => {
  it('maps a foreign-key violation (23503) to 409 conflict and not-null/check violations (23502, 23514) to 400', () => {
    const fk = toAppError(pgError('23503', 'insert or update on table "alert_posts" violates foreign key constraint'));
    expect(fk).toMatchObject({ code: 'conflict', status: 409 });
    expect(fk.message).not.toContain('alert_posts');
    for (const code of ['23502', '23514']) {
      const e = toAppError(new Error('flush failed', { cause: pgError(code, 'null value in column "name" violates not-null constraint') }));
      expect(e, code).toMatchObject({ code: 'validation_failed', status: 400 });
      expect(e.details).toEqual([expect.objectContaining({ sqlstate: code })]);
    }
    expect(isRetryable(pgError('23503', 'fk'))).toBe(false);
  });
});
