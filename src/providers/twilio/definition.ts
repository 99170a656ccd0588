/**
 * Twilio — HTTP Basic with the Account SID and Auth Token.
 *
 * https://www.twilio.com/docs/usage/api#authenticate-with-http (Basic: Account SID as username,
 * Auth Token as password), https://www.twilio.com/docs/iam/api/account (Account resource; SID
 * pattern `^AC[0-9a-fA-F]{32}$`), https://www.twilio.com/docs/usage/api/usage-and-limits (429).
 * There is no API to revoke an Auth Token: it is rotated in the Console.
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'twilio',
  displayName: 'Twilio',
  category: 'communication',
  docsUrl: 'https://www.twilio.com/docs/usage/api',
  auth: {
    credentials: {
      kind: 'basic',
      fields: [
        {
          name: 'accountSid',
          label: 'Account SID',
          secret: false,
          pattern: '^AC[0-9a-fA-F]{32}$',
          help: 'Starts with AC; shown on the Twilio Console home page under Account Info.',
        },
        { name: 'authToken', label: 'Auth Token', secret: true, help: 'Shown (after "Show") next to the Account SID in the Twilio Console.' },
      ],
      instructions:
        'In the Twilio Console (https://console.twilio.com) copy the Account SID and Auth Token from the Account Info panel and paste them here.',
    },
  },
  apiBaseUrl: 'https://api.twilio.com',
  // Twilio Regions: an account processed outside the US uses https://api.<edge>.<region>.twilio.com.
  urlOverrides: { fields: ['apiBaseUrl'], hosts: ['*.twilio.com'], schemes: ['https'], authKinds: ['basic'] },
  rateLimit: { signals: [] },
  objects: [{ name: 'messages', direction: 'out', scopes: [] }],
  revokeNote:
    'Twilio has no API to revoke an Auth Token: to cut off access completely, rotate the Auth Token in the Twilio Console (Account → API keys & tokens).',
} satisfies ProviderDefinition;
