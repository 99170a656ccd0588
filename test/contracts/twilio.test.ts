import { describe, expect, it } from 'vitest';
import { twilio } from '../../src/providers/twilio/index.ts';
import { accountSchema } from '../../src/providers/twilio/connector.ts';
import { testContext } from '../providers/helpers.ts';
import { instances, loadOpenApi, responseSchema, validate } from './describe.ts';
import { exercise, expectRequestsValid, expectSchemaNotStricter } from './harness.ts';

const doc = loadOpenApi('twilio.openapi.json');
const PATH = '/2010-04-01/Accounts/{Sid}.json';

describe('Twilio against its OpenAPI description', () => {
  it('names its source', () => expect(doc.source).toContain('twilio/twilio-oai : spec/json/twilio_api_v2010.json'));

  it('test fetches the documented Account resource, lower- or upper-case SID', async () => {
    const [, full] = instances(doc, responseSchema(doc, 'GET', '/2010-04-01/Accounts/AC0.json', 200));
    for (const sid of ['AC0123456789abcdef0123456789abcdef', 'AC0123456789ABCDEF0123456789ABCDEF']) {
      const creds = { type: 'basic' as const, fields: { accountSid: sid, authToken: 'f0e1d2c3b4a5968778695a4b3c2d1e0f' } };
      const reqs = await exercise('https://api.twilio.com', [{ method: 'GET', path: `/2010-04-01/Accounts/${sid}.json`, status: 200, body: full }], () =>
        twilio.connector.test(testContext({ provider: twilio, credentials: creds })),
      );
      expectRequestsValid(doc, reqs);
    }
  });

  it("the credential field's pattern is the description's SID pattern", () => {
    const sid = doc.paths[PATH]!.get.parameters[0].schema;
    expect(twilio.definition.auth.credentials!.fields[0]!.pattern).toBe(sid.pattern);
    expect(validate(doc, sid, 'AC0123456789ABCDEF0123456789ABCDEF')).toEqual([]);
  });

  it('the response schema is not stricter than the description', () => expectSchemaNotStricter(doc, 'GET', '/2010-04-01/Accounts/AC0.json', accountSchema));
});
