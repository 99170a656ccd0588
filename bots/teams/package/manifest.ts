/**
 * The Teams app manifest (manifest/teams/manifest.json), built from the chat core's registry so
 * the bot's command menu never drifts from the commands it answers. The checked-in file is this
 * builder's output for placeholder values (TEMPLATE_VALUES: an all-zero GUID, an example host),
 * which validates against the schema as it is; `npm run teams:package` fills in the real app id
 * and PUBLIC_URL (`fillManifest`) and zips it with the icons.
 *
 * Schema: v1.30, the newest released version whose schema ships offline in
 * @microsoft/app-manifest (the tests validate against it).
 */
import { clip } from '../../../src/commands/grammar.ts';
import { commands as registry } from '../../../src/commands/registry.ts';
import type { Command } from '../../../src/commands/types.ts';
import { VERSION } from '../../../src/version.ts';
import { ACCENT_COLOR } from './icons.ts';

export const MANIFEST_VERSION = '1.30';
export const MANIFEST_SCHEMA_URL = `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`;

export const COLOR_ICON_FILE = 'color.png';
export const OUTLINE_ICON_FILE = 'outline.png';

/**
 * The command menu's limits as Teams documents them for bots (10 commands a list, titles of 32
 * characters, descriptions of 128). Schema v1.24+ admits 12 / 128 / 4000; we keep to the stricter
 * ones, which every Teams client shows in full.
 */
export const COMMAND_LIMITS = { perList: 10, title: 32, description: 128 } as const;

type Scope = 'personal' | 'team' | 'groupChat';

/**
 * Which commands each menu offers, in menu order (names from src/commands/registry.ts; every
 * other command still works when typed). In a personal chat: setting up and looking after one's
 * connections. In channels and group chats: the shared view, and the channel's alerts.
 */
export const COMMAND_MENUS: ReadonlyArray<{ scopes: readonly Scope[]; names: readonly string[] }> = [
  { scopes: ['personal'], names: ['help', 'link', 'list', 'providers', 'connect', 'status', 'test', 'pause', 'resume', 'sync'] },
  { scopes: ['team', 'groupChat'], names: ['help', 'link', 'list', 'status', 'test', 'pause', 'resume', 'sync', 'log', 'alerts'] },
];

export type TeamsCommand = { title: string; description: string };
export type TeamsCommandList = { scopes: Scope[]; commands: TeamsCommand[] };

/**
 * A command as a menu entry: the title is what Teams puts after `@Patchbay` when the entry is
 * picked (the command's name); the description is its usage and summary, or the summary alone
 * (clipped) when both do not fit.
 */
export function menuEntry(command: Pick<Command, 'name' | 'summary' | 'usage'>): TeamsCommand {
  const withUsage = `${command.usage} — ${command.summary}`;
  const description = withUsage.length <= COMMAND_LIMITS.description ? withUsage : clip(command.summary, COMMAND_LIMITS.description);
  if (command.name.length > COMMAND_LIMITS.title) throw new Error(`Teams command title "${command.name}" is over ${COMMAND_LIMITS.title} characters`);
  return { title: command.name, description };
}

export function teamsCommandLists(commands: readonly Command[] = registry, menus = COMMAND_MENUS): TeamsCommandList[] {
  const byName = new Map(commands.map((c) => [c.name, c]));
  return menus.map(({ scopes, names }) => {
    if (names.length > COMMAND_LIMITS.perList) throw new Error(`A Teams command list has at most ${COMMAND_LIMITS.perList} commands (got ${names.length} for ${scopes.join(', ')})`);
    return {
      scopes: [...scopes],
      commands: names.map((name) => {
        const command = byName.get(name);
        if (!command) throw new Error(`The Teams command menu names "${name}", which is no chat command (src/commands/registry.ts)`);
        return menuEntry(command);
      }),
    };
  });
}

/** What differs per installation. */
export type ManifestValues = {
  /** The Azure Bot's Microsoft App ID (TEAMS_APP_ID): the app's id and its bot's id. */
  appId: string;
  /** Where Patchbay is reached (PUBLIC_URL), without a trailing slash. */
  publicUrl: string;
  /** Default `${publicUrl}/privacy`. */
  privacyUrl?: string;
  /** Default `${publicUrl}/terms`. */
  termsOfUseUrl?: string;
  /** The app's version (x.y.z); default Patchbay's own. */
  version?: string;
};

/** The values of the checked-in template. */
export const TEMPLATE_VALUES: ManifestValues = {
  appId: '00000000-0000-0000-0000-000000000000',
  publicUrl: 'https://patchbay.example.com',
};

const GUID = /^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;

/** Patchbay's version as Teams wants it: x.y.z (a pre-release suffix is dropped). */
export function manifestAppVersion(version = VERSION): string {
  const core = /^\d+\.\d+\.\d+/.exec(version)?.[0];
  if (!core) throw new Error(`The Teams app version must be x.y.z (got "${version}")`);
  return core;
}

export type TeamsManifest = Record<string, unknown> & {
  id: string;
  version: string;
  developer: Record<string, string>;
  bots: Array<Record<string, unknown> & { botId: string; commandLists: TeamsCommandList[] }>;
  validDomains: string[];
};

/**
 * The template with one installation's values: the app and bot id, the version, the developer
 * URLs and the valid domain. Returns a new object; throws on a bad id or URL.
 */
export function fillManifest(template: TeamsManifest, values: ManifestValues): TeamsManifest {
  if (!GUID.test(values.appId)) throw new Error(`The Teams app id must be a GUID (the Azure Bot's Microsoft App ID), got "${values.appId}"`);
  const base = values.publicUrl.replace(/\/+$/, '');
  const urls = {
    websiteUrl: base,
    privacyUrl: values.privacyUrl ?? `${base}/privacy`,
    termsOfUseUrl: values.termsOfUseUrl ?? `${base}/terms`,
  };
  for (const [key, url] of Object.entries(urls)) {
    if (!/^https?:\/\/[^/]/i.test(url) || !URL.canParse(url)) throw new Error(`developer.${key} must be an absolute http(s) URL, got "${url}"`);
  }
  return {
    ...template,
    id: values.appId,
    version: manifestAppVersion(values.version),
    developer: { ...template.developer, ...urls },
    bots: template.bots.map((bot) => ({ ...bot, botId: values.appId })),
    validDomains: [new URL(base).hostname],
  };
}

/** The whole manifest for the given values; with TEMPLATE_VALUES, the checked-in template. */
export function teamsManifest(values: ManifestValues = TEMPLATE_VALUES, commands: readonly Command[] = registry): TeamsManifest {
  const template: TeamsManifest = {
    $schema: MANIFEST_SCHEMA_URL,
    manifestVersion: MANIFEST_VERSION,
    version: '0.0.0',
    id: TEMPLATE_VALUES.appId,
    developer: { name: 'Patchbay', websiteUrl: '', privacyUrl: '', termsOfUseUrl: '' },
    name: { short: 'Patchbay', full: 'Patchbay — integrations hub' },
    description: {
      short: 'Connect services, keep them in sync and get their alerts in Teams',
      full: [
        'Patchbay is an open integrations hub run from chat. Connect third-party services (issue trackers, CRMs, calendars, code hosts…), see their status, test, pause, resume and sync them, and have errors and rate-limit pauses posted to a channel.',
        'Mention the bot with a command: `@Patchbay list`, `@Patchbay status "Linear Eng"`, `@Patchbay pause "Linear Eng"`. `@Patchbay help` lists every command.',
      ].join('\n\n'),
    },
    icons: { color: COLOR_ICON_FILE, outline: OUTLINE_ICON_FILE },
    accentColor: ACCENT_COLOR,
    bots: [
      {
        botId: TEMPLATE_VALUES.appId,
        scopes: ['personal', 'team', 'groupChat'],
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: teamsCommandLists(commands),
      },
    ],
    permissions: ['identity', 'messageTeamMembers'],
    validDomains: [],
  };
  return fillManifest(template, values);
}

/** The manifest file's text: pretty JSON with a trailing newline. */
export function manifestText(manifest: TeamsManifest = teamsManifest()): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
