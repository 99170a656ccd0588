/** Schemas of the Zapier REST hook routes (Zapier's app calls them with a Patchbay API token). */
import { VIAS } from '../../../context.ts';
import { ROLES } from '../../../entities/member.ts';
import { EVENT_TYPES, type EventType } from '../../../events/catalog/index.ts';
import { describeWebhookEventType } from '../../../webhooks/payload.ts';
import { subscribeInput, zapierEventType } from '../../../zapier/hooks.ts';
import { EX } from '../../examples.ts';
import { idParamsOf, z } from '../../schemas.ts';

export const ZAPIER_HOOK_ID = '8e1f0c2a-6b4d-4a7e-9c3f-2d5b7a9e1c40';
export const zapierHookParams = idParamsOf(ZAPIER_HOOK_ID);

export const zapierMeSchema = z
  .object({
    workspace: z.object({ id: z.uuid(), name: z.string(), slug: z.string() }),
    member: z.object({ id: z.uuid(), displayName: z.string(), role: z.enum(ROLES) }),
    token: z.object({ id: z.uuid(), name: z.string() }),
    canSubscribe: z.boolean().openapi({ description: 'Whether this token may turn Zaps on and off (its member is an Admin or Owner)' }),
  })
  .openapi('ZapierMe', {
    example: {
      workspace: { id: EX.workspaceId, name: 'Acme Engineering', slug: 'acme-engineering' },
      member: { id: EX.memberId, displayName: 'Ada Lovelace', role: 'admin' },
      token: { id: '0b6f2c1e-8d4a-4e3b-9f7c-5a1d2e3f4b5c', name: 'Zapier' },
      canSubscribe: true,
    },
  });

export const subscribeBody = subscribeInput.openapi('ZapierSubscribe', {
  example: { hookUrl: 'https://hooks.zapier.com/hooks/standard/1234567/abcdef0123456789/', event: 'task_added' },
});

export const zapierHookSchema = z
  .object({
    id: z.uuid().openapi({ description: 'Keep it: unsubscribe with DELETE /api/v1/zapier/hooks/{id}' }),
    event: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
    createdAt: z.iso.datetime(),
  })
  .openapi('ZapierHook', { example: { id: ZAPIER_HOOK_ID, event: 'task_added', createdAt: EX.createdAt } });

export const samplesParams = z.object({
  eventType: zapierEventType.openapi({ description: 'A catalog event type (GET /api/v1/webhooks/event-types)', example: 'task_added' }),
});

// A sample is the delivered body (its schema is the event type's, in the catalog) plus `id`.
export const zapierSamplesSchema = z
  .array(
    z
      .object({
        id: z.string().openapi({ description: 'The event id (the body\'s `eventId`), or `sample_<type>` for the catalog\'s example' }),
        timestamp: z.iso.datetime(),
        eventType: z.string(),
        version: z.number().int(),
        eventId: z.number().int(),
        entity: z.record(z.string(), z.unknown()),
        entityId: z.string(),
        entityType: z.string(),
        entityLink: z.string(),
        data: z.record(z.string(), z.unknown()),
        traceId: z.string(),
        triggeredBy: z.object({ id: z.string().nullable(), name: z.string().nullable(), via: z.enum(VIAS) }),
      })
      .loose(),
  )
  .openapi('ZapierSamples', { example: [{ id: '48213', ...describeWebhookEventType('task_added').example }] });
