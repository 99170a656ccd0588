/**
 * Posting to a `response_url` (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses).
 * The URL comes from a signed Slack payload (or our own modal metadata), yet only Slack's hooks
 * hosts — or the origin of SLACK_API_URL, for GovSlack and local fakes — are ever called.
 */
import type { Config } from '../../src/config/index.ts';

const SLACK_HOOK_HOSTS: readonly string[] = Object.freeze(['hooks.slack.com', 'hooks.slack-gov.com']);

export function responseUrlAllowed(config: Pick<Config, 'SLACK_API_URL'>, url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'https:' && SLACK_HOOK_HOSTS.includes(u.hostname)) return true;
  return Boolean(config.SLACK_API_URL && new URL(config.SLACK_API_URL).origin === u.origin);
}

export function createResponder(config: Pick<Config, 'SLACK_API_URL'>, timeoutMs = 10_000) {
  return async function respond(url: string, body: Record<string, unknown>): Promise<void> {
    if (!responseUrlAllowed(config, url)) throw new Error('refusing to post to a response URL outside Slack');
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new Error(`response URL answered HTTP ${res.status}`);
    await res.body?.cancel();
  };
}
