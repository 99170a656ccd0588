/**
 * GitHub repository webhooks.
 *
 * https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries —
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` keyed with the hook's secret.
 * https://docs.github.com/en/webhooks/webhook-events-and-payloads#delivery-headers —
 * `X-GitHub-Event` (the event), `X-GitHub-Delivery` (a GUID per event, kept on redeliveries: the
 * idempotency key); `ping` is sent once when a hook is created; `issues` carries `action` and `issue`.
 * https://docs.github.com/en/rest/repos/webhooks#create-a-repository-webhook —
 * `POST /repos/{owner}/{repo}/hooks {name:'web', active, events, config:{url, content_type, secret,
 * insecure_ssl}}` → 201 with the hook's numeric `id`; `DELETE /repos/{owner}/{repo}/hooks/{hook_id}` → 204.
 * https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps — `repo`
 * (already requested for issues) includes repository webhooks; the user must also be an admin of
 * the repository, or GitHub answers 404.
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { InboundEvent, ProviderWebhooks } from '../../inbound/scheme.ts';
import { bodyDigest, hmac, jsonBody, safeEqual } from '../../inbound/verify.ts';
import { GITHUB_HEADERS } from './connector.ts';

const REPO = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;

const issuesEventSchema = z.object({
  action: z.string().max(100),
  issue: z.object({ id: z.union([z.number(), z.string()]), number: z.number().optional() }).loose(),
});
const actionSchema = z.object({ action: z.string().max(100).optional() }).loose();
const hookSchema = z.object({ id: z.union([z.number(), z.string()]) }).loose();

function repoPath(resource: string): string {
  if (!REPO.test(resource)) throw new AppError('validation_failed', `'${resource.slice(0, 200)}' is not a GitHub repository (owner/repo).`);
  const [owner, repo] = resource.split('/') as [string, string];
  return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
}

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'connection',
    secretSource: 'registration',
    verify(req, secret) {
      const header = req.headers['x-hub-signature-256'] ?? '';
      if (!header.startsWith('sha256=')) return false;
      return safeEqual(header.slice('sha256='.length), hmac('sha256', secret, req.rawBody, 'hex'));
    },
    parse(req): InboundEvent[] {
      const event = (req.headers['x-github-event'] ?? '').slice(0, 100);
      const deliveryId = req.headers['x-github-delivery'] || bodyDigest(req.rawBody);
      const body = jsonBody(req.rawBody);
      if (event === 'issues') {
        const e = issuesEventSchema.parse(body);
        return [{ deliveryId, type: `issues.${e.action}`, object: 'issues', remoteId: String(e.issue.id) }];
      }
      // `ping` (sent when the hook is created) and any event Patchbay does not sync: acknowledged, ignored.
      const action = actionSchema.safeParse(body);
      const type = action.success && action.data.action ? `${event || 'unknown'}.${action.data.action}` : event || 'unknown';
      return [{ deliveryId, type, object: null }];
    },
  },
  // An issues rule syncs one repository (`scope.repo`, owner/repo): its hook watches that repository.
  resourcesFor: (rule) => (rule.remoteObject === 'issues' && typeof rule.scope.repo === 'string' && REPO.test(rule.scope.repo) ? [rule.scope.repo] : []),
  async register(ctx, input) {
    const res = await ctx.http.request({
      method: 'POST',
      url: `${repoPath(input.resource)}/hooks`,
      headers: GITHUB_HEADERS,
      body: { name: 'web', active: true, events: ['issues'], config: { url: input.url, content_type: 'json', secret: input.secret, insecure_ssl: '0' } },
    });
    const hook = hookSchema.safeParse(res.body);
    if (!hook.success) throw new AppError('provider_error', `GitHub answered POST /repos/${input.resource}/hooks without the hook id.`);
    return { remoteId: String(hook.data.id) };
  },
  async unregister(ctx, reg) {
    // 404: the hook (or the repository) is already gone.
    await ctx.http.request({ method: 'DELETE', url: `${repoPath(reg.resource)}/hooks/${encodeURIComponent(reg.remoteId)}`, headers: GITHUB_HEADERS, allowStatuses: [404] });
  },
  setup:
    'A realtime issues rule creates a webhook on its repository (`scope.repo`, owner/repo) for `issues` events, signed with a secret Patchbay generates; disconnecting removes it. The `repo` scope Patchbay already requests covers repository webhooks, but the connected user must be an admin of the repository. GitHub only sends to URLs it can reach: PUBLIC_URL must be public.',
};
