import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Member } from './member.ts';
import { Workspace } from './workspace.ts';

/** A calendar event of the workspace's work data. Soft-deleted, like every work-data row. */
export const CalendarEvent = defineEntity({
  name: 'CalendarEvent',
  tableName: 'calendar_events',
  indexes: [{ properties: ['workspace', 'updatedAt', 'id'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    title: p.text(),
    description: p.text().nullable(),
    startAt: p.datetime(),
    endAt: p.datetime(),
    allDay: p.boolean().default(false),
    /** IANA zone the event was planned in (e.g. `Europe/Berlin`); start and end are instants. */
    timeZone: p.string().nullable(),
    location: p.text().nullable(),
    attendees: p.json<string[]>().onCreate(() => []),
    createdBy: () => p.manyToOne(Member).mapToPk().nullable().deleteRule('set null'),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()),
    deletedAt: p.datetime().nullable(),
  },
});
export type ICalendarEvent = InferEntity<typeof CalendarEvent>;
