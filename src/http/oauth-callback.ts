/**
 * GET /oauth/callback: the page a person lands on after authorizing at a provider. It is
 * self-contained HTML (no external assets) that says what happened and what to do next.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { completeAuthorization, type CallbackOutcome } from '../connections/oauth-flow.ts';
import { PLATFORM_NAMES } from '../chat/platforms.ts';
import { correlationId } from '../context.ts';
import { AppError, toAppError } from '../errors.ts';
import { inputIssues } from './input-safety.ts';
import type { Runtime } from '../runtime.ts';

const querySchema = z.object({
  state: z.string().max(500).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

/** The other short string parameters (Zoho's `accounts-server`): a provider may read them (`urlsFromCallback`). */
const callbackParams = (query: Request['query']): Record<string, string> =>
  Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0].length <= 40 && e[1].length <= 300));

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function page(title: string, body: string, ok: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Patchbay</title>
<style>
body{font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f6f7f9;color:#1d2330;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);padding:32px 40px;max-width:520px}
h1{font-size:22px;margin:0 0 12px;color:${ok ? '#137333' : '#b3261e'}}
p{margin:8px 0}.muted{color:#5f6673;font-size:13px}
</style></head>
<body><main><h1>${ok ? '✓' : '✕'} ${escape(title)}</h1>${body}</main></body></html>`;
}

function render(outcome: CallbackOutcome): { status: number; html: string } {
  // The terminal reads better as "your terminal" in "return to …".
  const platform = outcome.chatContext?.platform;
  const back = !platform ? 'Patchbay' : platform === 'cli' ? 'your terminal' : (PLATFORM_NAMES[platform]?.name ?? 'Patchbay');
  if (outcome.ok) {
    const name = outcome.provider.definition.displayName;
    const title = `${name} is ${outcome.reconnected ? 'reconnected' : 'connected'} as ${outcome.account.accountName}`;
    return { status: 200, html: page(title, `<p>You can close this tab and return to ${escape(back)}.</p>`, true) };
  }
  return {
    status: 400,
    html: page(outcome.title, `<p>${escape(outcome.message)}</p><p class="muted">Correlation id: ${escape(correlationId())}</p>`, false),
  };
}

export function oauthCallbackHandler(rt: Runtime) {
  return async (req: Request, res: Response) => {
    // The page carries the result of a one-time code: never cache it.
    res.setHeader('Cache-Control', 'no-store');
    try {
      const q = querySchema.safeParse(req.query);
      if (!q.success || inputIssues(req.query, 'query').length) throw new AppError('oauth_state_invalid', 'The callback parameters are not valid. Start again from Patchbay.');
      const { status, html } = render(await completeAuthorization(rt, { ...q.data, params: callbackParams(req.query) }));
      res.status(status).type('html').send(html);
    } catch (err) {
      const e = toAppError(err);
      if (e.status >= 500) rt.logger.error({ err }, 'OAuth callback failed');
      const message = e.status >= 500 ? 'Something went wrong on our side. Start again from Patchbay; if it keeps failing, report the correlation id below.' : e.message;
      res
        .status(e.status)
        .type('html')
        .send(page('Authorization not completed', `<p>${escape(message)}</p><p class="muted">Correlation id: ${escape(correlationId())}</p>`, false));
    }
  };
}
