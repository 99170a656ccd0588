import { previewRule } from '../../../sync/match-preview.ts';
import { defineRoute } from '../../route.ts';
import { previewSchema, ruleParams } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/connections/:id/rules/:ruleId/preview',
  operationId: 'previewSyncRule',
  summary: "Preview a rule's first run: what it links and what it creates",
  description:
    "Before a rule's first run, the records both sides already have are matched and linked instead of duplicated: contacts by email (case-insensitive), tasks by a stored source link else exact title + due date, calendar events by provider id (an event another rule already links) else exact title + start time. This answers what that first run would do: pairs it links, records it creates at the provider and here (by the rule's direction: an `in` rule creates nothing at the provider, an `out` rule nothing here), and ambiguous keys (several candidates on a side), which are listed and left unlinked. It reads the provider's whole feed, so it takes as long as a full pull's reads. Once the rule has run, `firstRun` is false and the counts are 0. A paused, errored or disconnected connection answers 409.",
  tag: 'Sync rules',
  // Admins and Owners, like the rule itself (`sync_rules.manage`), not members like the run
  // history (`connections.logs.read`): the preview pages through the provider's whole account
  // on the connection's quota, and its ambiguous list names records (emails, titles) that the
  // rule has not synced yet — it is part of setting a rule up, which members cannot do.
  permission: 'sync_rules.manage',
  params: ruleParams,
  errors: ['invalid_transition', 'rate_limited', 'provider_error'],
  responses: { 200: { description: 'The preview', schema: previewSchema } },
  async handler({ rt, auth, params }) {
    return { status: 200, body: await previewRule(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id, params.ruleId) };
  },
});
