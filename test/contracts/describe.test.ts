/** The contract checker itself: each check shown failing on what issue 10 found. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listProviders } from '../../src/providers/registry.ts';
import { docPath } from '../../src/providers/write-docs.ts';
import { checkRequest, instances, loadDiscovery, loadOpenApi, responseSchema, validate, type Recorded } from './describe.ts';

const asana = loadOpenApi('asana.openapi.json');
const twilio = loadOpenApi('twilio.openapi.json');
const hubspot = loadOpenApi('hubspot.openapi.json');
const req = (method: string, url: string, headers: Record<string, string> = {}, body = ''): Recorded => ({ method, url: new URL(url), headers: new Headers(headers), body });

describe('contract checker', () => {
  it("refuses Asana's old opt_fields=gid,name,email (gid is not in the enum) and accepts name,email", () => {
    expect(checkRequest(asana, req('GET', 'https://app.asana.com/api/1.0/users/me?opt_fields=gid,name,email'))).toEqual(['query.opt_fields[0]: "gid" is not one of the enum']);
    expect(checkRequest(asana, req('GET', 'https://app.asana.com/api/1.0/users/me?opt_fields=name,email'))).toEqual([]);
  });

  it('refuses an operation the description lacks, a path parameter off its pattern, and a body of the wrong type', () => {
    expect(checkRequest(asana, req('GET', 'https://app.asana.com/api/1.0/projects'))).toEqual(['GET /api/1.0/projects: no such operation in the description']);
    expect(checkRequest(twilio, req('GET', 'https://api.twilio.com/2010-04-01/Accounts/XY12.json'))).toEqual([
      'path.Sid: does not match ^AC[0-9a-fA-F]{32}$',
      'path.Sid: shorter than 34',
    ]);
    expect(checkRequest(hubspot, req('POST', 'https://api.hubapi.com/oauth/v3/token/revoke', { 'content-type': 'application/json' }, '{"token":"t"}'))).toEqual([
      "body: content type 'application/json' is not one of application/x-www-form-urlencoded",
    ]);
  });

  it('finds a zod schema stricter than the description: the old Twilio `sid: string` and Asana `gid: string`', () => {
    const strictTwilio = z.object({ sid: z.string(), friendly_name: z.string().nullish() });
    const twilioInstances = instances(twilio, responseSchema(twilio, 'GET', '/2010-04-01/Accounts/AC0.json', 200));
    expect(twilioInstances.some((i) => !strictTwilio.safeParse(i).success)).toBe(true);
    const strictAsana = z.object({ data: z.object({ gid: z.string(), name: z.string() }) });
    expect(instances(asana, responseSchema(asana, 'GET', '/api/1.0/users/me', 200)).some((i) => !strictAsana.safeParse(i).success)).toBe(true);
  });

  it('validates nullable, oneOf, required and additionalProperties', () => {
    const doc = loadDiscovery('google-calendar.discovery.json');
    const s = { type: 'object', required: ['a'], additionalProperties: false, properties: { a: { type: 'integer', nullable: true }, b: { oneOf: [{ type: 'string' }, { type: 'boolean' }] } } };
    expect(validate(doc, s, { a: null, b: true })).toEqual([]);
    expect(validate(doc, s, { b: 1, c: 2 })).toEqual(['$.a: required', '$.b: matches none of oneOf', '$.c: not allowed']);
    expect(validate(doc, { type: ['string', 'null'] }, null)).toEqual([]);
  });
});

describe('contract coverage', () => {
  it('every provider has contract tests against its published description, or its doc page says why not', () => {
    for (const p of listProviders()) {
      const slug = p.definition.slug;
      if (existsSync(new URL(`./${slug}.test.ts`, import.meta.url))) continue;
      expect(readFileSync(docPath(slug), 'utf8'), `${slug}: no test/contracts/${slug}.test.ts and no reason on its doc page`).toContain('publishes no machine-readable API description');
    }
  });
});
