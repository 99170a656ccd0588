/**
 * The Teams app manifest template (manifest/teams/): generated from the command registry and up
 * to date, valid against the Teams JSON schema of the version it declares, within the command
 * menu's limits, and with icons of the right size and kind. The schema check is shown refusing
 * broken manifests, so a validator that accepts everything cannot pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCENT_COLOR, colorIconImage, outlineIconImage } from '../../bots/teams/package/icons.ts';
import {
  COMMAND_LIMITS,
  COMMAND_MENUS,
  fillManifest,
  MANIFEST_SCHEMA_URL,
  MANIFEST_VERSION,
  manifestText,
  teamsCommandLists,
  teamsManifest,
  TEMPLATE_VALUES,
  type TeamsManifest,
} from '../../bots/teams/package/manifest.ts';
import { TEMPLATE_DIR } from '../../bots/teams/package/write-template.ts';
import { commands } from '../../src/commands/registry.ts';
import { VERSION } from '../../src/version.ts';
import { loadSchema, manifestSchemaErrors, readPng, schemaFileFor } from './manifest-support.ts';

const checkedIn = (name: string) => readFileSync(path.join(TEMPLATE_DIR, name));
const template = () => JSON.parse(checkedIn('manifest.json').toString('utf8')) as TeamsManifest;
const APP_ID = '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';

describe('the checked-in Teams manifest template', () => {
  it('is what the generator writes (else: npm run teams:manifest)', () => {
    expect(checkedIn('manifest.json').toString('utf8'), 'manifest/teams/manifest.json is stale; run: npm run teams:manifest').toBe(manifestText());
    expect(readdirSync(TEMPLATE_DIR).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
  });

  it('declares the schema version it is written for, whose schema ships offline (draft-04)', () => {
    const m = template();
    expect(m.$schema).toBe(MANIFEST_SCHEMA_URL);
    expect(m.manifestVersion).toBe(MANIFEST_VERSION);
    expect(MANIFEST_SCHEMA_URL).toBe(`https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`);
    const schema = loadSchema(schemaFileFor(m.$schema));
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect((schema.properties as Record<string, { const?: string }>).manifestVersion!.const).toBe(MANIFEST_VERSION);
  });

  it('validates against that schema', () => {
    expect(manifestSchemaErrors(template())).toEqual([]);
  });

  it('carries Patchbay’s version, the placeholder ids and host, and one bot in three scopes', () => {
    const m = template();
    expect(m.version).toBe(VERSION.match(/^\d+\.\d+\.\d+/)![0]);
    expect(m.id).toBe(TEMPLATE_VALUES.appId);
    expect(m.bots).toHaveLength(1);
    expect(m.bots[0]).toMatchObject({ botId: TEMPLATE_VALUES.appId, scopes: ['personal', 'team', 'groupChat'], supportsFiles: false, isNotificationOnly: false });
    expect(m.developer).toEqual({ name: 'Patchbay', websiteUrl: 'https://patchbay.example.com', privacyUrl: 'https://patchbay.example.com/privacy', termsOfUseUrl: 'https://patchbay.example.com/terms' });
    expect(m.validDomains).toEqual(['patchbay.example.com']);
    expect(m.accentColor).toBe(ACCENT_COLOR);
    expect(m.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
    expect(m.permissions).toEqual(['identity', 'messageTeamMembers']);
    expect(m).not.toHaveProperty('webApplicationInfo');
  });
});

describe('the bot’s command menus', () => {
  const lists = teamsCommandLists();

  it('come from the registry: each title a command name, each description its usage and summary', () => {
    const byName = new Map(commands.map((c) => [c.name, c]));
    expect(template().bots[0]!.commandLists).toEqual(lists);
    for (const list of lists) {
      for (const entry of list.commands) {
        const command = byName.get(entry.title);
        expect(command, entry.title).toBeDefined();
        const summaryHead = command!.summary.slice(0, 40);
        expect(entry.description.includes(summaryHead) || entry.description.startsWith(command!.summary.slice(0, 20))).toBe(true);
        if (entry.description.startsWith(`${command!.usage} — `)) expect(entry.description).toBe(`${command!.usage} — ${command!.summary}`);
      }
    }
    expect(lists.find((l) => l.scopes.includes('personal'))!.commands.find((c) => c.title === 'pause')!.description).toBe(`pause <connection> [reason…] — ${byName.get('pause')!.summary}`);
  });

  it('cover every scope of the bot once, and keep to Teams’ limits (10 commands, titles ≤ 32, descriptions ≤ 128)', () => {
    expect(lists.flatMap((l) => l.scopes).sort()).toEqual(['groupChat', 'personal', 'team']);
    for (const list of lists) {
      expect(list.commands.length).toBeLessThanOrEqual(COMMAND_LIMITS.perList);
      expect(new Set(list.commands.map((c) => c.title)).size).toBe(list.commands.length);
      for (const c of list.commands) {
        expect(c.title.length).toBeLessThanOrEqual(32);
        expect(c.description.length, c.title).toBeLessThanOrEqual(128);
      }
      expect(list.commands.map((c) => c.title)).toEqual(expect.arrayContaining(['help', 'list', 'status', 'pause', 'resume']));
    }
    expect(lists.find((l) => l.scopes.includes('team'))!.commands.map((c) => c.title)).toContain('alerts');
    expect(lists.find((l) => l.scopes.includes('personal'))!.commands.map((c) => c.title)).toEqual(expect.arrayContaining(['connect', 'providers']));
  });

  it('refuse a menu naming no command, or one over the limit', () => {
    expect(() => teamsCommandLists(commands, [{ scopes: ['personal'], names: ['help', 'frobnicate'] }])).toThrow(/"frobnicate", which is no chat command/);
    const eleven = commands.slice(0, 11).map((c) => c.name);
    expect(eleven).toHaveLength(11);
    expect(() => teamsCommandLists(commands, [{ scopes: ['personal'], names: eleven }])).toThrow(/at most 10 commands/);
    expect(COMMAND_MENUS.every((m) => m.names.length <= 10)).toBe(true);
  });

  it('clip a summary too long to fit with its usage', () => {
    const long = { name: 'rules', usage: 'rules <connection>', summary: 'x '.repeat(100).trim() };
    const [entry] = teamsCommandLists([long as (typeof commands)[number]], [{ scopes: ['team'], names: ['rules'] }])[0]!.commands;
    expect(entry!.description.length).toBeLessThanOrEqual(128);
    expect(entry!.description.endsWith('…')).toBe(true);
  });
});

describe('the schema check refuses broken manifests', () => {
  const broken = (change: (m: TeamsManifest) => void): string[] => {
    const m = structuredClone(teamsManifest({ appId: APP_ID, publicUrl: 'https://patchbay.acme.test' }));
    change(m);
    return manifestSchemaErrors(m);
  };

  it('accepts a filled-in manifest', () => {
    expect(broken(() => undefined)).toEqual([]);
  });

  it('a bad GUID as app or bot id', () => {
    expect(broken((m) => (m.id = 'not-a-guid')).join('\n')).toMatch(/^\/id: must match pattern/m);
    expect(broken((m) => (m.bots[0]!.botId = '1234')).join('\n')).toMatch(/^\/bots\/0\/botId: must match pattern/m);
  });

  it('too many commands in a list (the schema of v1.30 allows 12), an unknown scope, too many lists', () => {
    const many = Array.from({ length: 13 }, (_, i) => ({ title: `c${i}`, description: 'x' }));
    expect(broken((m) => (m.bots[0]!.commandLists[0]!.commands = many)).join('\n')).toMatch(/commandLists\/0\/commands: must NOT have more than 12 items/);
    expect(broken((m) => (m.bots[0]!.commandLists[0]!.scopes = ['channel' as 'team']))).not.toEqual([]);
    expect(broken((m) => m.bots[0]!.commandLists.push(...m.bots[0]!.commandLists, ...m.bots[0]!.commandLists)).join('\n')).toMatch(/commandLists: must NOT have more than 3 items/);
  });

  it('a wrong manifestVersion for the schema, a bad colour, a missing icon, an unknown property', () => {
    expect(broken((m) => (m.manifestVersion = '1.29')).join('\n')).toMatch(/\/manifestVersion: must be equal to constant/);
    expect(broken((m) => (m.accentColor = 'blue')).join('\n')).toMatch(/\/accentColor: must match pattern/);
    expect(broken((m) => delete (m.icons as Record<string, string>).outline).join('\n')).toMatch(/must have required property 'outline'/);
    expect(broken((m) => (m.colour = '#ffffff')).join('\n')).toMatch(/must NOT have additional properties/);
  });
});

describe('filling in an installation', () => {
  it('sets the ids, version, developer URLs and valid domain, leaving the rest', () => {
    const t = template();
    const m = fillManifest(t, { appId: APP_ID, publicUrl: 'https://hub.acme.test:8443/patchbay/', termsOfUseUrl: 'https://acme.test/legal' });
    expect(m.id).toBe(APP_ID);
    expect(m.bots[0]!.botId).toBe(APP_ID);
    expect(m.developer).toEqual({ name: 'Patchbay', websiteUrl: 'https://hub.acme.test:8443/patchbay', privacyUrl: 'https://hub.acme.test:8443/patchbay/privacy', termsOfUseUrl: 'https://acme.test/legal' });
    expect(m.validDomains).toEqual(['hub.acme.test']);
    expect({ ...m, id: t.id, bots: t.bots, developer: t.developer, validDomains: t.validDomains }).toEqual(t);
    expect(t.id).toBe(TEMPLATE_VALUES.appId); // the template is not changed
    expect(manifestSchemaErrors(m)).toEqual([]);
  });

  it('refuses a bad app id or URL', () => {
    expect(() => fillManifest(template(), { appId: '1234', publicUrl: 'https://x.test' })).toThrow(/must be a GUID/);
    expect(() => fillManifest(template(), { appId: APP_ID, publicUrl: 'ftp://x.test' })).toThrow(/developer.websiteUrl must be an absolute http\(s\) URL/);
    expect(() => fillManifest(template(), { appId: APP_ID, publicUrl: 'https://x.test', privacyUrl: '/privacy' })).toThrow(/developer.privacyUrl/);
  });
});

describe('the icons', () => {
  it('color.png: 192×192 RGBA, opaque accent square with the white mark, up to date', () => {
    const png = readPng(checkedIn('color.png'));
    expect(png).toMatchObject({ width: 192, height: 192, bitDepth: 8, colorType: 6, interlace: 0 });
    expect(png.pixels.equals(Buffer.from(colorIconImage().data)), 'manifest/teams/color.png is stale; run: npm run teams:manifest').toBe(true);
    const at = (x: number, y: number) => [...png.pixels.subarray((y * 192 + x) * 4, (y * 192 + x) * 4 + 4)];
    const accent = [1, 3, 5].map((i) => Number.parseInt(ACCENT_COLOR.slice(i, i + 2), 16));
    expect(at(96, 10)).toEqual([...accent, 255]); // background, top middle
    expect(at(96, 96)).toEqual([255, 255, 255, 255]); // the cable through the centre
    expect(at(0, 0)[3]).toBe(0); // rounded corner
  });

  it('outline.png: 32×32 RGBA, only white or transparent pixels, up to date', () => {
    const png = readPng(checkedIn('outline.png'));
    expect(png).toMatchObject({ width: 32, height: 32, bitDepth: 8, colorType: 6, interlace: 0 });
    expect(png.pixels.equals(Buffer.from(outlineIconImage().data)), 'manifest/teams/outline.png is stale; run: npm run teams:manifest').toBe(true);
    let opaque = 0;
    let clear = 0;
    for (let i = 0; i < png.pixels.length; i += 4) {
      const [r, g, b, a] = png.pixels.subarray(i, i + 4);
      if (a !== 0) expect([r, g, b]).toEqual([255, 255, 255]);
      if (a === 255) opaque++;
      if (a === 0) clear++;
    }
    expect(opaque).toBeGreaterThan(100);
    expect(clear).toBeGreaterThan(200);
  });
});
