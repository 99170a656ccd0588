/** Google Calendar's connector: calendarList.get('primary') test; token revoke. */
import { z } from 'zod';
import { revokeGoogleGrant } from '../_shared/google.ts';
import type { ConnectorSpec } from '../types.ts';

/**
 * GET /calendar/v3/users/me/calendarList/{calendarId} → a CalendarListEntry (`id` is the account's
 * email address for the primary calendar, `summary` its title). Discovery marks no field required.
 * https://developers.google.com/workspace/calendar/api/v3/reference/calendarList/get
 */
export const calendarListEntrySchema = z.object({
  kind: z.string().optional(),
  id: z.string().optional(),
  summary: z.string().nullish(),
  timeZone: z.string().nullish(),
  primary: z.boolean().optional(),
});

export const connector: ConnectorSpec<typeof calendarListEntrySchema> = {
  test: {
    path: '/calendar/v3/users/me/calendarList/{calendarId}',
    params: () => ({ calendarId: 'primary' }),
    response: calendarListEntrySchema,
    account: (entry) => ({ id: entry.id, name: entry.summary, extra: entry.timeZone ? { timeZone: entry.timeZone } : {} }),
  },

  // Shared by the Google providers: POST https://oauth2.googleapis.com/revoke?token=<refresh token>.
  revoke: revokeGoogleGrant,
};
