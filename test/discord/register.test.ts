/**
 * `npm run discord:register` against a small fake Discord API (node:http on 127.0.0.1): it stores
 * what is PUT and answers GET with it plus the fields Discord adds, so a second run sees no change.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { discordCommandDefinitions } from '../../bots/discord/commands.ts';
import { commandChanges, normalizeCommand, registerDiscordCommands } from '../../bots/discord/register.ts';
import { npmScript } from '../helpers/npm-chat.ts';

const APP = '123456789012345678';
const GUILD = '876543210987654321';
const TOKEN = 'test-bot-token-0123456789abcdef';

type Seen = { method: string; path: string; authorization: string | undefined; body: unknown };

const seen: Seen[] = [];
const stored = new Map<string, unknown[]>();
let server: Server;
let api: string;

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text ? JSON.parse(text) : undefined;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const body = await bodyOf(req);
      const path = req.url ?? '';
      seen.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body });
      const m = /^\/api\/v10\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path);
      res.setHeader('content-type', 'application/json');
      if (!m) return res.writeHead(404).end(JSON.stringify({ message: 'Unknown route', code: 0 }));
      if (req.method === 'PUT') {
        // As Discord answers: the definitions with the fields it adds.
        const saved = (body as Array<Record<string, unknown>>).map((c, i) => ({
          id: String(1000 + i),
          application_id: m[1],
          version: String(Date.now()),
          ...(m[2] ? { guild_id: m[2] } : {}),
          default_permission: true,
          default_member_permissions: null,
          dm_permission: true,
          nsfw: false,
          type: 1,
          name_localizations: null,
          description_localizations: null,
          ...c,
        }));
        stored.set(path, saved);
        return res.writeHead(200).end(JSON.stringify(saved));
      }
      return res.writeHead(200).end(JSON.stringify(stored.get(path) ?? []));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
  stored.clear();
});

const puts = () => seen.filter((s) => s.method === 'PUT');

describe('registering the Discord commands', () => {
  it('sends the definitions once, then finds nothing to change', async () => {
    const first = await registerDiscordCommands({ applicationId: APP, token: TOKEN, apiUrl: api });
    expect(first).toMatchObject({ scope: 'global', changed: true, changes: ['added /integrations'] });
    expect(puts()).toHaveLength(1);
    expect(puts()[0]!.path).toBe(`/api/v10/applications/${APP}/commands`);
    expect(puts()[0]!.body).toEqual(discordCommandDefinitions());
    expect(seen.every((s) => s.authorization === `Bot ${TOKEN}`)).toBe(true);

    const second = await registerDiscordCommands({ applicationId: APP, token: TOKEN, apiUrl: api });
    expect(second).toMatchObject({ changed: false, changes: [] });
    expect(puts()).toHaveLength(1);
    expect(seen.at(-1)!.method).toBe('GET');
  });

  it('registers in one guild on the guild route', async () => {
    const r = await registerDiscordCommands({ applicationId: APP, token: TOKEN, apiUrl: api, guildId: GUILD });
    expect(r).toMatchObject({ scope: 'guild', changed: true });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([`GET /api/v10/applications/${APP}/guilds/${GUILD}/commands`, `PUT /api/v10/applications/${APP}/guilds/${GUILD}/commands`]);
    expect((await registerDiscordCommands({ applicationId: APP, token: TOKEN, apiUrl: api, guildId: GUILD })).changed).toBe(false);
  });

  it('names what changed: a subcommand, a command of ours, one that is no longer ours', async () => {
    const [ours] = discordCommandDefinitions();
    const older = { ...ours!, id: '1', version: '2', options: ours!.options!.filter((o) => o.name !== 'whoami').map((o) => (o.name === 'pause' ? { ...o, description: 'old text' } : o)) };
    expect(commandChanges([older], [ours!])).toEqual(['changed /integrations: pause, +whoami']);
    expect(commandChanges([{ ...older, options: ours!.options }, { name: 'legacy' }], [ours!])).toEqual(['removed /legacy']);
    expect(commandChanges([{ ...ours!, contexts: [0, 1] } as never], [ours!])).toEqual(['changed /integrations (its settings)']);
    // Discord's defaults and additions are no difference.
    expect(normalizeCommand({ ...ours!, id: '9', type: 1, nsfw: false, dm_permission: true, default_member_permissions: null, options: ours!.options!.map((o) => ({ ...o, required: false, ...('options' in o && o.options?.length ? {} : { options: [] }) })) })).toEqual(
      normalizeCommand({ ...ours!, options: ours!.options!.map((o) => ({ ...o })) }),
    );
  });

  function cli(env: Record<string, string>, args: string[] = []) {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DISCORD_')));
    return npmScript('discord:register', args, { ...clean, NODE_ENV: 'development', ...env });
  }

  it('runs as npm run discord:register, and stops with a clear message when the app is not configured', async () => {
    const missing = await cli({});
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('DISCORD_APPLICATION_ID: is required to register the Discord commands');
    expect(missing.stderr).toContain('DISCORD_BOT_TOKEN: is required');

    const env = { DISCORD_APPLICATION_ID: APP, DISCORD_PUBLIC_KEY: 'ab'.repeat(32), DISCORD_BOT_TOKEN: TOKEN, DISCORD_GUILD_ID: GUILD, DISCORD_API_URL: api };
    const first = await cli(env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Registered for guild ${GUILD}`);
    expect(first.stdout).toContain('added /integrations');
    const again = await cli(env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^no change/);
    expect(puts()).toHaveLength(1);
  }, 60_000);
});
