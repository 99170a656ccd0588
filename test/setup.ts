/** Runs in every test file: no request leaves the machine, and no mock is left unused. */
// Before any test's imports make zod schemas (see the module).
import '../src/http/zod-openapi.ts';
import nock from 'nock';
import { afterEach, expect } from 'vitest';

nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every nock mock set up by a test must be used').toEqual([]);
});
