import { VIAS } from '../../../context.ts';
import { DomainEvent } from '../../../entities/domain-event.ts';
import { describeEventType, EVENT_TYPES, eventCatalog, eventPayloadSchema } from '../../../events/catalog/index.ts';
import { EX } from '../../examples.ts';
import { defineRoute } from '../../route.ts';
import { z } from '../../schemas.ts';
import { idCursorQuery, idPage, idPageSchema } from '../id-pagination.ts';

// One schema per event type, from the catalog, so the API reference documents each payload.
const envelope = {
  id: z.number().int(),
  traceId: z.string().openapi({ description: 'Correlation id of the request or job that made the change' }),
  triggeredBy: z.object({ memberId: z.uuid().nullable(), via: z.enum(VIAS) }),
  createdAt: z.iso.datetime(),
};
const pascal = (t: string) => t.replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
// Each type's example is the catalog's own (the one webhook receivers see), in the API envelope.
const exampleOf = (t: (typeof EVENT_TYPES)[number]) => ({
  id: 1042,
  ...describeEventType(t).example,
  traceId: EX.correlationId,
  triggeredBy: { memberId: EX.memberId, via: 'api' },
  createdAt: EX.updatedAt,
});
const [firstType, ...otherTypes] = EVENT_TYPES.map((t) =>
  eventPayloadSchema(t).extend(envelope).openapi(`${pascal(t)}Event`, { description: eventCatalog[t].description, example: exampleOf(t) }),
);
const eventSchema = z.discriminatedUnion('type', [firstType!, ...otherTypes]).openapi('DomainEvent');

export default defineRoute({
  method: 'get',
  path: '/events',
  operationId: 'listEvents',
  summary: 'Domain events (every state change), newest first',
  tag: 'Events',
  permission: 'events.read',
  query: idCursorQuery.extend({
    type: z.string().max(100).optional().openapi({ description: 'Only events of this type, e.g. `connection_paused`', example: 'connection_paused' }),
    entityId: z.string().max(100).optional().openapi({ description: 'Only events about this entity (a connection id, …)', example: EX.connectionId }),
  }),
  responses: { 200: { description: 'A page of events', schema: idPageSchema(eventSchema) } },
  async handler({ em, auth, query }) {
    const where: Record<string, unknown> = { workspace: auth.workspaceId };
    if (query.cursor) where.id = { $lt: query.cursor };
    if (query.type) where.type = query.type;
    if (query.entityId) where.entityId = query.entityId;
    const rows = await em.find(DomainEvent, where, { orderBy: { id: 'desc' }, limit: query.limit + 1 });
    return {
      status: 200,
      body: idPage(rows, query.limit, (e) => ({
        id: e.id,
        type: e.type,
        version: e.version,
        entityType: e.entityType,
        entityId: e.entityId,
        snapshot: e.snapshot,
        data: e.data ?? null,
        traceId: e.traceId,
        triggeredBy: { memberId: e.actorMemberId ?? null, via: e.via },
        createdAt: e.createdAt.toISOString(),
      })),
    };
  },
});
