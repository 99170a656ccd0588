/**
 * The one "check, and audit the refusal" step, used by every door: the admin API, the chat core,
 * the OAuth flow, tenancy and members. A refusal is audited exactly once, in one shape:
 * `action` = the permission, `outcome` = refused, `details.reason` = forbidden with the roles.
 * Repeats of the same refusal within a minute only count on that entry (src/audit/refusals.ts).
 */
import { auditRefusalPerWindow } from '../audit/refusals.ts';
import type { Role } from '../entities/member.ts';
import type { Runtime } from '../runtime.ts';
import { authorize, can, requiredRole, type Action } from './permissions.ts';

export type AuthorizeRequest = {
  workspaceId: string;
  /** The role to check: for chat, the effective role (explicit role and trusted platform role). */
  role: Role;
  action: Action;
  /** What the refusal concerns, for the audit log (`connection`, `api`, `chat_command`, …). */
  targetType: string;
  targetId?: string | null;
  /** Human words for the refusal message ("Changing roles needs the Owner role…"). */
  what?: string;
  /** Extra audit facts (never secrets). */
  details?: Record<string, unknown>;
};

/** Throws `forbidden` (after auditing the refusal) unless `role` may do `action`. */
export async function authorizeOrAudit(rt: Runtime, req: AuthorizeRequest): Promise<void> {
  if (can(req.role, req.action)) return;
  await auditRefusalPerWindow(rt, {
    workspaceId: req.workspaceId,
    action: req.action,
    targetType: req.targetType,
    targetId: req.targetId ?? null,
    details: { ...req.details, reason: 'forbidden', role: req.role, requiredRole: requiredRole(req.action) },
  });
  authorize(req.role, req.action, req.what); // throws the forbidden error with its message
}
