/** The pages a browser sees at the end of an OAuth install (/slack/oauth_redirect). */
import type { ServerResponse } from 'node:http';
import type { Installation } from '@slack/bolt';
import { linkInstructions } from '../../src/chat/link-codes.ts';
import type { Config } from '../../src/config/index.ts';
import { CALLBACK_CSP, htmlSecurityHeaderValues } from '../../src/http/security-headers.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const md = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    ...htmlSecurityHeaderValues(CALLBACK_CSP),
  });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>` +
      `<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .2em}</style>` +
      `</head><body><h1>${esc(title)}</h1>${body}</body></html>`,
  );
}

export function installSuccessPage(res: ServerResponse, installation: Installation, _config: Config): void {
  const team = installation.team?.name ?? installation.enterprise?.name ?? 'your Slack workspace';
  page(
    res,
    200,
    'Patchbay is installed',
    `<p>Patchbay was added to <strong>${esc(team)}</strong>. Installing grants nothing by itself: the Slack workspace must be linked to a Patchbay workspace first.</p>` +
      `<p>${md(linkInstructions('/integrations'))}</p><p>You can close this page.</p>`,
  );
}

export function installFailurePage(res: ServerResponse, _config: Config): void {
  page(res, 400, 'Patchbay was not installed', '<p>The installation did not complete (it may have been cancelled, or the link expired). Start again from the install link.</p>');
}
