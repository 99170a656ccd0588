/**
 * Link codes: an Owner creates one (admin API or `npm run chat -- link`), someone in a chat team
 * runs `link <code>` within 30 minutes, once. Only a SHA-256 of the code is stored.
 */
import { createHash, randomInt } from 'node:crypto';
import { authorizeOrAudit } from '../access/authorize.ts';
import { writeAudit } from '../audit/audit.ts';
import type { Caller } from '../connections/service.ts';
import { LinkCode } from '../entities/link-code.ts';
import type { Runtime } from '../runtime.ts';

/** How long a code stays valid. */
export const LINK_CODE_TTL_MINUTES = 30;

// Crockford-like: no 0/O, 1/I/L or U, so a code read aloud or retyped survives.
const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
const GROUPS = 3;
const GROUP_LEN = 4;

/** Uppercases and strips separators; accepts the code with or without its `PB-` prefix. */
export function normalizeLinkCode(input: string): string {
  const s = input.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return s.length === GROUPS * GROUP_LEN ? `PB${s}` : s;
}

export function hashLinkCode(input: string): string {
  return createHash('sha256').update(normalizeLinkCode(input)).digest('hex');
}

function generate(): string {
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    let s = '';
    for (let i = 0; i < GROUP_LEN; i++) s += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(s);
  }
  return `PB-${groups.join('-')}`;
}

export type CreatedLinkCode = { code: string; expiresAt: Date };

/** Creates a single-use code (Owner only; refusals audited). The code is returned here and never again. */
export async function createLinkCode(rt: Runtime, caller: Caller): Promise<CreatedLinkCode> {
  await authorizeOrAudit(rt, {
    workspaceId: caller.workspaceId,
    role: caller.member.role,
    action: 'chat.link',
    targetType: 'chat_link_code',
    what: 'Creating a chat link code',
  });
  const code = generate();
  const expiresAt = new Date(Date.now() + LINK_CODE_TTL_MINUTES * 60_000);
  await rt.em().transactional(async (tx) => {
    const row = tx.create(LinkCode, { workspace: caller.workspaceId, codeHash: hashLinkCode(code), createdBy: caller.member.id, expiresAt });
    await tx.flush();
    await writeAudit(tx, {
      workspaceId: caller.workspaceId,
      action: 'chat.link_code.create',
      targetType: 'chat_link_code',
      targetId: row.id,
      outcome: 'success',
      details: { expiresAt: expiresAt.toISOString() },
    });
  });
  return { code, expiresAt };
}

/** How to get a code, for people in an unlinked team and for usage errors. */
export function linkInstructions(prefix: string): string {
  return [
    'An Owner of the Patchbay workspace creates a single-use link code (valid 30 minutes) with',
    '`npm run chat -- link` on the Patchbay server, or `POST /api/v1/chat/link-codes` on the admin API,',
    `then anyone here runs \`${prefix ? `${prefix} ` : ''}link <code>\`.`,
  ].join(' ');
}
