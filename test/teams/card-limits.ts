/**
 * Checks shared by the Teams render tests. No Adaptive Card JSON schema ships in node_modules
 * (only Teams app-manifest schemas), so the shapes are checked here against the Adaptive Cards
 * 1.5 schema explorer's properties for the elements Patchbay uses — and nothing else is allowed:
 * no TextBlock or FactSet (both parse markdown in Teams), no `msteams.entities` (mentions).
 */
import { expect } from 'vitest';
import { ACTION_TITLE_MAX, VERBS } from '../../bots/teams/render/actions.ts';
import { ADAPTIVE_CARD_CONTENT_TYPE, TEAMS_LIMITS, type TeamsActivity } from '../../bots/teams/render/card.ts';
import type { AdaptiveCard } from '../../bots/teams/render/types.ts';

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');

const COMMON = ['type', 'spacing', 'separator'];
const KEYS: Record<string, string[]> = {
  RichTextBlock: [...COMMON, 'inlines'],
  TextRun: ['type', 'text', 'weight', 'fontType', 'size', 'isSubtle', 'color', 'underline', 'selectAction'],
  ColumnSet: [...COMMON, 'columns'],
  Column: ['type', 'width', 'items'],
  ActionSet: [...COMMON, 'actions'],
  'Input.Text': [...COMMON, 'id', 'label', 'isRequired', 'errorMessage', 'placeholder', 'value', 'style', 'isMultiline', 'maxLength'],
  'Input.ChoiceSet': [...COMMON, 'id', 'label', 'isRequired', 'errorMessage', 'placeholder', 'value', 'style', 'choices'],
  'Action.Execute': ['type', 'title', 'verb', 'data', 'style', 'associatedInputs'],
  'Action.OpenUrl': ['type', 'title', 'url', 'style'],
};
const ENUMS: Record<string, string[]> = {
  spacing: ['None', 'Small', 'Medium'],
  weight: ['Bolder'],
  fontType: ['Monospace'],
  size: ['Small', 'Large'],
  color: ['Accent', 'Attention'],
};

function expectKeys(o: Record<string, unknown>): void {
  const type = o.type as string;
  expect(KEYS[type], `unknown element type ${type}`).toBeDefined();
  for (const k of Object.keys(o)) expect(KEYS[type], `${type}.${k}`).toContain(k);
  for (const [k, allowed] of Object.entries(ENUMS)) if (k in o && type !== 'Input.Text' && type !== 'Input.ChoiceSet') expect(allowed).toContain(o[k]);
}

function checkAction(a: Record<string, unknown>): void {
  expectKeys(a);
  expect(typeof a.title).toBe('string');
  expect((a.title as string).trim().length).toBeGreaterThan(0);
  expect((a.title as string).length).toBeLessThanOrEqual(ACTION_TITLE_MAX);
  if ('style' in a) expect(['positive', 'destructive']).toContain(a.style);
  if (a.type === 'Action.OpenUrl') expect(a.url).toMatch(/^https?:\/\/\S+$/);
  else {
    expect(Object.values(VERBS)).toContain(a.verb);
    expect(a.data && typeof a.data === 'object' && !Array.isArray(a.data)).toBe(true);
    // Only a form's submit gathers inputs: no other click may carry what was typed (a secret).
    expect(a.associatedInputs).toBe(a.verb === VERBS.form ? 'auto' : 'none');
  }
}

function checkRun(r: Record<string, unknown>): void {
  expectKeys(r);
  expect(typeof r.text).toBe('string');
  if (r.selectAction) {
    const s = r.selectAction as Record<string, unknown>;
    expect(s.type).toBe('Action.OpenUrl');
    expect(s.url).toMatch(/^https?:\/\/\S+$/);
  }
}

function checkElement(e: Record<string, unknown>, ids: Set<string>): void {
  expectKeys(e);
  switch (e.type) {
    case 'RichTextBlock': {
      const inlines = e.inlines as Array<Record<string, unknown>>;
      expect(inlines.length).toBeGreaterThan(0);
      inlines.forEach(checkRun);
      break;
    }
    case 'ColumnSet':
      for (const c of e.columns as Array<Record<string, unknown>>) {
        expectKeys(c);
        expect(typeof c.width).toBe('number');
        for (const i of c.items as Array<Record<string, unknown>>) checkElement(i, ids);
      }
      break;
    case 'ActionSet': {
      const actions = e.actions as Array<Record<string, unknown>>;
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.length).toBeLessThanOrEqual(TEAMS_LIMITS.actionsPerSet);
      actions.forEach(checkAction);
      break;
    }
    case 'Input.Text':
    case 'Input.ChoiceSet':
      expect(typeof e.id).toBe('string');
      expect(ids.has(e.id as string)).toBe(false);
      ids.add(e.id as string);
      expect((e.label as string).length).toBeGreaterThan(0);
      expect(typeof e.isRequired).toBe('boolean');
      if (e.type === 'Input.ChoiceSet') {
        expect(e.style).toBe('compact');
        expect((e.choices as unknown[]).length).toBeGreaterThan(0);
      } else if ('style' in e) expect(e.style).toBe('password');
      break;
  }
}

/** A card Teams accepts: our 1.5 shapes only, no mentions, within the byte budget. */
export function expectValidCard(card: AdaptiveCard): void {
  expect(Object.keys(card).sort()).toEqual(['$schema', 'body', 'msteams', 'type', 'version', ...('actions' in card ? ['actions'] : [])].sort());
  expect(card.type).toBe('AdaptiveCard');
  expect(card.version).toBe('1.5');
  expect(card.msteams).toEqual({ width: 'Full' });
  expect(card.body.length).toBeGreaterThan(0);
  const ids = new Set<string>();
  for (const e of card.body) checkElement(e as Record<string, unknown>, ids);
  const json = JSON.stringify(card);
  expect(json).not.toMatch(/"type":"(TextBlock|FactSet)"/);
  expect(json).not.toContain('"entities"');
  expect(bytes(card)).toBeLessThanOrEqual(TEAMS_LIMITS.cardBytes);
}

export function expectValidActivity(a: TeamsActivity): void {
  expect(a.type).toBe('message');
  expect(a.textFormat).toBe('plain');
  expect(a.text.length).toBeGreaterThan(0);
  expect(Array.from(a.text).length).toBeLessThanOrEqual(TEAMS_LIMITS.fallbackChars);
  expect(a.attachments).toHaveLength(1);
  expect(a.attachments[0]!.contentType).toBe(ADAPTIVE_CARD_CONTENT_TYPE);
  expectValidCard(a.attachments[0]!.content);
  expect(bytes(a)).toBeLessThanOrEqual(TEAMS_LIMITS.activityBytes);
}

/** Every text a card shows (runs, action titles, input labels, placeholders, choices, values), in order. */
export function cardTexts(card: AdaptiveCard): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key?: string): void => {
    if (typeof v === 'string') {
      if (key && ['text', 'title', 'label', 'placeholder', 'errorMessage', 'value'].includes(key)) out.push(v);
      return;
    }
    if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== 'data') walk(x, k);
  };
  walk(card.body);
  return out;
}

/** Every URL a card links to (runs' and buttons' Action.OpenUrl). */
export function cardUrls(card: AdaptiveCard): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'Action.OpenUrl' && typeof o.url === 'string') out.push(o.url);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}
