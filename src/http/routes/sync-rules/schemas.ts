/** Schemas of the sync-rule and sync-run endpoints, with examples of an Asana tasks rule. */
import { DELETE_POLICIES, SYNC_FREQUENCIES } from '../../../entities/sync-rule.ts';
import { exampleSyncRun, syncRunSnapshot } from '../../../events/catalog/sync.ts';
import { createRuleInput, updateRuleInput } from '../../../sync/rule-input.ts';
import { FIELD_TYPES, LOCAL_OBJECTS, mappingEntrySchema, SYNC_DIRECTIONS, TRANSFORMS } from '../../../sync/types.ts';
import { EX } from '../../examples.ts';
import { uuidParam, z } from '../../schemas.ts';

export const RULE_ID = exampleSyncRun.ruleId;
export const RUN_ID = exampleSyncRun.id;

export const ruleParams = z.object({ id: uuidParam.openapi({ example: EX.connectionId }), ruleId: uuidParam.openapi({ example: RULE_ID }) });
export const runParams = z.object({ id: uuidParam.openapi({ example: EX.connectionId }), runId: uuidParam.openapi({ example: RUN_ID }) });

const exampleMapping = [
  { local: 'title', remote: 'name', direction: 'both', transform: 'title_minutes' },
  { local: 'description', remote: 'html_notes', direction: 'both', transform: 'rich_text' },
  { local: 'status', remote: 'completed', direction: 'both', transform: 'enum_map', values: { open: 'false', done: 'true' } },
  { local: 'dueDate', remote: 'due_on', direction: 'both' },
] as const;

export const exampleRule = {
  id: RULE_ID,
  connectionId: EX.connectionId,
  localObject: 'tasks',
  remoteObject: 'tasks',
  direction: 'both',
  scope: { project: '1207894561234567' },
  frequency: 'interval',
  intervalSeconds: 300,
  deletePolicy: 'mark',
  mapping: exampleMapping,
  enabled: true,
  lastRunAt: EX.updatedAt,
  nextRunAt: EX.later,
  initialImportAt: EX.createdAt,
  consecutiveFailures: 0,
  createdBy: EX.memberId,
  createdAt: EX.createdAt,
  updatedAt: EX.updatedAt,
};

const isoTime = () => z.iso.datetime();
export const ruleSchema = z
  .object({
    id: z.uuid(),
    connectionId: z.uuid(),
    localObject: z.enum(LOCAL_OBJECTS),
    remoteObject: z.string(),
    direction: z.enum(SYNC_DIRECTIONS),
    scope: z.record(z.string(), z.string()),
    frequency: z.enum(SYNC_FREQUENCIES),
    intervalSeconds: z.number().int(),
    deletePolicy: z.enum(DELETE_POLICIES),
    mapping: z.array(mappingEntrySchema),
    enabled: z.boolean(),
    lastRunAt: isoTime().nullable().describe('When the last run finished'),
    nextRunAt: isoTime().nullable().describe('When the next scheduled run is queued; null when disabled or not scheduled'),
    initialImportAt: isoTime().nullable().describe('When the first full import finished; null until then'),
    consecutiveFailures: z.number().int().describe('Failed runs in a row (5 move the connection to errored)'),
    createdBy: z.uuid().nullable(),
    createdAt: isoTime(),
    updatedAt: isoTime(),
  })
  .openapi('SyncRule', { example: exampleRule });

export const ruleResult = z.object({ rule: ruleSchema });
export const ruleList = z.object({ data: z.array(ruleSchema) });

export const createRuleBody = createRuleInput.extend({}).openapi('CreateSyncRule', {
  example: { remoteObject: 'tasks', direction: 'both', scope: { project: '1207894561234567' }, frequency: 'interval', intervalSeconds: 60, deletePolicy: 'mark', mapping: [...exampleMapping] },
});
export const updateRuleBody = updateRuleInput.extend({}).openapi('UpdateSyncRule', { example: { intervalSeconds: 120, enabled: false } });

export const suggestQuery = z.object({ object: z.string().min(1).max(100).openapi({ description: 'The provider object (one with `sync: true` in the catalog)', example: 'tasks' }) });

const remoteFieldSchema = z.object({
  name: z.string(),
  type: z.enum(FIELD_TYPES),
  label: z.string().optional(),
  required: z.boolean().optional(),
  readOnly: z.boolean().optional(),
  values: z.array(z.string()).optional(),
});
const pairSchema = z.object({
  local: z.string(),
  remote: z.union([z.string(), z.array(z.string())]),
  direction: z.enum(SYNC_DIRECTIONS),
  transform: z.enum(TRANSFORMS).optional(),
  values: z.record(z.string(), z.string()).optional(),
  confidence: z.number().min(0).max(1),
  reason: z.string(),
});
export const suggestionSchema = z
  .object({
    remoteObject: z.string(),
    localObject: z.enum(LOCAL_OBJECTS),
    remoteFields: z.array(remoteFieldSchema).describe("The provider object's fields"),
    pairs: z.array(pairSchema).describe('Suggested entries, by local field; a rule created without `mapping` takes those with confidence ≥ 0.6'),
    unmapped: z.object({ local: z.array(z.string()), remote: z.array(z.string()) }),
    missingRequired: z.object({
      local: z.array(z.string()).describe('Local fields a record needs that no entry maps inbound'),
      remote: z.array(z.string()).describe('Provider fields a create needs that no entry maps outbound'),
    }),
  })
  .openapi('SuggestedMapping', {
    example: {
      remoteObject: 'tasks',
      localObject: 'tasks',
      remoteFields: [
        // (`type` avoids the value "string" here: the reference test treats it as Swagger's placeholder.)
        { name: 'name', type: 'text', label: 'Task name', required: true },
        { name: 'due_on', type: 'date', label: 'Due date' },
        { name: 'permalink_url', type: 'text', label: 'Link', readOnly: true },
      ],
      pairs: [
        { local: 'title', remote: 'name', direction: 'both', transform: 'title_minutes', confidence: 0.8, reason: "'name' is a common name for title; a `[1h30m]` in the title carries the scheduled minutes" },
        { local: 'dueDate', remote: 'due_on', direction: 'both', confidence: 0.8, reason: "'due_on' is a common name for dueDate" },
      ],
      unmapped: { local: ['description', 'status', 'assigneeEmail', 'labels'], remote: ['permalink_url'] },
      missingRequired: { local: [], remote: [] },
    },
  });

const exampleRunDetail = {
  ...exampleSyncRun,
  connectionId: EX.connectionId,
  provider: 'asana',
  correlationId: EX.correlationId,
  recordErrors: [{ side: 'remote', recordId: '1208112233445566', message: 'Asana answered HTTP 400: due_on must be a date (YYYY-MM-DD)' }],
  conflicts: [
    { localId: EX.taskId, remoteId: '1208112233445567', field: 'title', localValue: 'Ship v2', remoteValue: 'Ship v2.0', winner: 'remote', localAt: '2026-11-29T09:58:10.000Z', remoteAt: '2026-11-29T09:59:02.000Z' },
  ],
  warnings: ["field mapping mismatch: Asana tasks no longer have 'due_on' (mapped to dueDate); edit the rule's mapping"],
};
export const syncRunSchema = syncRunSnapshot
  .extend({
    recordErrors: z.array(z.object({ side: z.enum(['local', 'remote']), recordId: z.string().nullable(), message: z.string() })),
    conflicts: z.array(
      z.object({ localId: z.string(), remoteId: z.string(), field: z.string(), localValue: z.unknown(), remoteValue: z.unknown(), winner: z.enum(['local', 'remote']), localAt: z.string(), remoteAt: z.string() }),
    ),
    warnings: z.array(z.string()).describe('Field mapping mismatches seen in the run'),
  })
  .openapi('SyncRun', { example: exampleRunDetail });

export const runResult = z.object({
  run: syncRunSchema,
  alreadyRunning: z.boolean().openapi({ description: 'A run of this rule was already queued or running: that run is returned, and no second one started', example: false }),
});

export const previewSchema = z
  .object({
    ruleId: z.uuid(),
    connectionId: z.uuid(),
    localObject: z.enum(LOCAL_OBJECTS),
    remoteObject: z.string(),
    direction: z.enum(SYNC_DIRECTIONS),
    firstRun: z.boolean().describe('False once the rule has run: its records are linked, nothing is matched again, and the counts are 0'),
    matchBy: z.string().describe('What records are matched by'),
    link: z.number().int().describe('Pairs the first run links instead of duplicating'),
    createRemote: z.number().int().describe('Local records the first run creates at the provider (0 for an `in` rule)'),
    createLocal: z.number().int().describe('Provider records the first run creates here (0 for an `out` rule)'),
    unmatchedLocal: z.number().int().describe('Local records without a match, ambiguous ones included'),
    unmatchedRemote: z.number().int().describe('Provider records without a match, ambiguous ones included'),
    ambiguous: z
      .array(
        z.object({
          key: z.string(),
          localCount: z.number().int(),
          localIds: z.array(z.string()).describe('The first 10'),
          remoteCount: z.number().int(),
          remoteIds: z.array(z.string()).describe('The first 10'),
        }),
      )
      .describe('Keys with several candidates on a side (the first 20): listed, not linked; their records sync as new'),
    ambiguousCount: z.number().int().describe('How many keys are ambiguous in all'),
    warnings: z.array(z.string()).describe('E.g. a mapping that does not map the key field, so nothing can match'),
    summary: z.string().describe('One sentence, as chat shows it'),
  })
  .openapi('SyncRulePreview', {
    example: {
      ruleId: RULE_ID,
      connectionId: EX.connectionId,
      localObject: 'contacts',
      remoteObject: 'contacts',
      direction: 'both',
      firstRun: true,
      matchBy: 'email (case-insensitive)',
      link: 412,
      createRemote: 30,
      createLocal: 12,
      unmatchedLocal: 30,
      unmatchedRemote: 12,
      ambiguous: [{ key: 'ada@example.com', localCount: 2, remoteCount: 1, localIds: [EX.contactId, '0b9e7d5c-3a1f-4e2d-8c6b-7a5f4e3d2c1b'], remoteIds: ['51'] }],
      ambiguousCount: 1,
      warnings: [],
      summary: 'Will link 412, create 30 in HubSpot, create 12 here. 1 ambiguous match left unlinked (their records sync as new).',
    },
  });
