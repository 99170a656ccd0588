/**
 * Link codes, run in chat as `link <code>` within 30 minutes, once. Only a SHA-256 is stored.
 * - A team code: an Owner creates it (admin API or `npm run chat -- link`); it links a chat team
 *   to the workspace, and whoever redeems it acts as that Owner.
 * - A personal code: any member creates one for themselves (`POST /api/v1/me/link-codes` or
 *   `npm run chat -- --as <email> link me`); it binds the chat user who redeems it to that
 *   member. It is how an Admin or Owner becomes themselves in chat: an email match never does.
 */
import { createHash, randomInt } from 'node:crypto';
import { authorizeOrAudit } from '../access/authorize.ts';
import { writeAudit } from '../audit/audit.ts';
import type { Caller } from '../connections/service.ts';
import { LinkCode, type LinkCodeKind } from '../entities/link-code.ts';
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
  return await insertCode(rt, caller, 'team');
}

/** Creates a single-use code that binds a chat user to the caller themselves (any member; no one else's). */
export async function createPersonalLinkCode(rt: Runtime, caller: Caller): Promise<CreatedLinkCode> {
  return await insertCode(rt, caller, 'personal');
}

async function insertCode(rt: Runtime, caller: Caller, kind: LinkCodeKind): Promise<CreatedLinkCode> {
  const code = generate();
  const expiresAt = new Date(Date.now() + LINK_CODE_TTL_MINUTES * 60_000);
  await rt.em().transactional(async (tx) => {
    const row = tx.create(LinkCode, { workspace: caller.workspaceId, codeHash: hashLinkCode(code), createdBy: caller.member.id, expiresAt, kind });
    await tx.flush();
    await writeAudit(tx, {
      workspaceId: caller.workspaceId,
      action: 'chat.link_code.create',
      targetType: 'chat_link_code',
      targetId: row.id,
      outcome: 'success',
      details: { kind, expiresAt: expiresAt.toISOString() },
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
