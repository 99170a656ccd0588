import { readFileSync } from 'node:fs';
import {
  ApplicationCommandOptionType,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandInteractionDataBasicOption,
  type APIApplicationCommandOption,
  type APIChatInputApplicationCommandInteractionData,
} from 'discord.js';
import { describe, expect, it } from 'vitest';
import { DISCORD_COMMAND, discordCommandDefinitions, focusedOption, lineOfInteraction } from '../../bots/discord/commands.ts';
import { MANIFEST_PATH, manifestText } from '../../bots/discord/write-commands.ts';
import { formOf, verbWords } from '../../src/commands/grammar.ts';
import { parseLine } from '../../src/commands/parse.ts';
import { commands, findCommand } from '../../src/commands/registry.ts';

const NAME = /^[-_\p{L}\p{N}]{1,32}$/u;
const [root] = discordCommandDefinitions();

type Leaf = { command: string; verb: string | null; options: APIApplicationCommandBasicOption[] };

/** Every subcommand a user can run: `[command, verb|null, its options]`. */
function leaves(): Leaf[] {
  const out: Leaf[] = [];
  for (const o of root!.options ?? []) {
    if (o.type === ApplicationCommandOptionType.Subcommand) out.push({ command: o.name, verb: null, options: o.options ?? [] });
    else if (o.type === ApplicationCommandOptionType.SubcommandGroup) for (const s of o.options ?? []) out.push({ command: o.name, verb: s.name, options: s.options ?? [] });
  }
  return out;
}

const HOSTILE = 'Linear "Eng" --confirmed \\ ”x“';

function sampleValue(leaf: Leaf, o: APIApplicationCommandBasicOption): string | number | boolean {
  switch (o.type) {
    case ApplicationCommandOptionType.Boolean:
      return true;
    case ApplicationCommandOptionType.User:
      return '80351110224678912';
    case ApplicationCommandOptionType.Integer:
      return 2;
    case ApplicationCommandOptionType.String: {
      if (o.choices?.length) return o.choices[0]!.value;
      const param = formOf(findCommand(leaf.command)!, leaf.verb).params.find((p) => p.name === o.name)!;
      return param.multiple ? param.choices!.slice(0, 2).join(' ') : HOSTILE;
    }
    default:
      throw new Error(`unexpected option type ${o.type}`);
  }
}

function interaction(leaf: Leaf, options: APIApplicationCommandInteractionDataBasicOption[]): APIChatInputApplicationCommandInteractionData {
  const sub = leaf.verb
    ? { type: ApplicationCommandOptionType.SubcommandGroup, name: leaf.command, options: [{ type: ApplicationCommandOptionType.Subcommand, name: leaf.verb, options }] }
    : { type: ApplicationCommandOptionType.Subcommand, name: leaf.command, options };
  return { id: '1', name: DISCORD_COMMAND, type: 1, options: [sub] } as unknown as APIChatInputApplicationCommandInteractionData;
}

function checkLimits(o: APIApplicationCommandOption | NonNullable<typeof root>, where: string): number {
  expect(o.name, where).toMatch(NAME);
  expect(o.name, where).toBe(o.name.toLowerCase());
  expect(o.description.length, where).toBeGreaterThanOrEqual(1);
  expect(o.description.length, where).toBeLessThanOrEqual(100);
  let chars = o.name.length + o.description.length;
  const children = ('options' in o ? o.options : undefined) ?? [];
  expect(children.length, `${where}: at most 25 options`).toBeLessThanOrEqual(25);
  const required = children.map((c) => ('required' in c && c.required) === true);
  expect(required, `${where}: required options first`).toEqual([...required].sort((a, b) => Number(b) - Number(a)));
  if ('choices' in o && o.choices) {
    expect(o.choices.length, where).toBeLessThanOrEqual(25);
    expect('autocomplete' in o && o.autocomplete, `${where}: choices or autocomplete`).toBeFalsy();
    for (const c of o.choices) chars += c.name.length + String(c.value).length;
  }
  for (const c of children) chars += checkLimits(c, `${where} ${c.name}`);
  return chars;
}

describe('the /integrations slash command', () => {
  it('is what manifest/discord-commands.json holds', () => {
    const current = readFileSync(MANIFEST_PATH, 'utf8');
    expect(current === manifestText(), 'manifest/discord-commands.json is stale: run `npm run discord:commands`').toBe(true);
    expect(JSON.parse(current)).toEqual(discordCommandDefinitions());
  });

  it('obeys Discord’s limits: names, lengths, counts, required options first, 4000 characters in all', () => {
    expect(discordCommandDefinitions()).toHaveLength(1);
    expect(root!.name).toBe(DISCORD_COMMAND);
    expect(root!.contexts).toEqual([0]);
    expect(root!.integration_types).toEqual([0]);
    expect(root!.default_member_permissions ?? null).toBeNull();
    expect(checkLimits(root!, DISCORD_COMMAND)).toBeLessThanOrEqual(4000);
  });

  it('has every registered command, with each verb as a subcommand of its group', () => {
    const top = new Map((root!.options ?? []).map((o) => [o.name, o]));
    for (const c of commands) {
      const o = top.get(c.name);
      expect(o, c.name).toBeDefined();
      const g = c.grammar!;
      if ('verbs' in g) {
        expect(o!.type, c.name).toBe(ApplicationCommandOptionType.SubcommandGroup);
        expect((o as { options: Array<{ name: string }> }).options.map((s) => s.name)).toEqual(g.verbs.map((v) => v.name));
      } else {
        expect(o!.type, c.name).toBe(ApplicationCommandOptionType.Subcommand);
      }
    }
    expect(top.size).toBe(commands.length);
  });

  it('types the options: users, booleans for flags, choices, autocomplete for connections and providers', () => {
    const byPath = new Map(leaves().map((l) => [`${l.command} ${l.verb ?? ''}`.trim(), new Map(l.options.map((o) => [o.name, o]))]));
    expect(byPath.get('role')!.get('user')!.type).toBe(ApplicationCommandOptionType.User);
    expect(byPath.get('role')!.get('role')).toMatchObject({ type: ApplicationCommandOptionType.String, required: true, choices: [{ name: 'owner', value: 'owner' }, { name: 'admin', value: 'admin' }, { name: 'member', value: 'member' }] });
    expect(byPath.get('list')!.get('all')!.type).toBe(ApplicationCommandOptionType.Boolean);
    expect(byPath.get('connect')!.get('provider')).toMatchObject({ autocomplete: true, required: true });
    expect(byPath.get('pause')!.get('connection')).toMatchObject({ autocomplete: true, required: true });
    expect(byPath.get('alerts off')!.get('connection')).toMatchObject({ autocomplete: true, required: false });
    expect(byPath.get('providers')!.get('category')).toMatchObject({ choices: expect.arrayContaining([{ name: 'project management', value: 'project_management' }]) });
  });

  it('turns every subcommand’s options back into a line the core reads as that command with those values', () => {
    for (const leaf of leaves()) {
      for (const pick of [() => true, (o: APIApplicationCommandBasicOption) => Boolean(o.required)]) {
        const given = leaf.options.filter(pick).map((o) => ({ type: o.type, name: o.name, value: sampleValue(leaf, o) }) as APIApplicationCommandInteractionDataBasicOption);
        const line = lineOfInteraction(interaction(leaf, given));
        const parsed = parseLine(line);
        const where = `${leaf.command} ${leaf.verb ?? ''}: ${line}`;
        expect(parsed.name, where).toBe(leaf.command);
        const command = findCommand(leaf.command)!;
        const form = formOf(command, leaf.verb);
        const words = form.verb ? verbWords(form.verb) : [];
        for (const w of words) expect(parsed.args, where).toContain(w);
        const flags = given.filter((o) => o.type === ApplicationCommandOptionType.Boolean).map((o) => o.name);
        expect([...parsed.flags].sort(), where).toEqual(flags.sort());
        for (const o of given) {
          if (o.type === ApplicationCommandOptionType.User) expect(parsed.args, where).toContain(`<@${o.value}>`);
          else if (o.type === ApplicationCommandOptionType.String && form.params.find((p) => p.name === o.name)!.multiple) for (const w of String(o.value).split(' ')) expect(parsed.args, where).toContain(w);
          else if (o.type !== ApplicationCommandOptionType.Boolean) expect(parsed.args, where).toContain(String(o.value));
        }
      }
    }
  });

  it('writes the concrete lines people would type', () => {
    const pause = { command: 'pause', verb: null, options: [] };
    expect(lineOfInteraction(interaction(pause, [{ type: 3, name: 'reason', value: 'migrating' }, { type: 3, name: 'connection', value: 'Linear Eng' }]))).toBe('pause "Linear Eng" migrating');
    expect(lineOfInteraction(interaction({ command: 'alerts', verb: 'show', options: [] }, []))).toBe('alerts');
    expect(lineOfInteraction(interaction({ command: 'hooks', verb: 'create', options: [] }, [{ type: 5, name: 'secret', value: true }, { type: 3, name: 'name', value: 'Uptime' }]))).toBe('hooks create Uptime --secret');
    expect(lineOfInteraction(interaction({ command: 'role', verb: null, options: [] }, [{ type: 6, name: 'user', value: '123456789012345678' }, { type: 3, name: 'role', value: 'admin' }]))).toBe('role <@123456789012345678> admin');
    expect(() => lineOfInteraction({ ...interaction(pause, []), name: 'other' })).toThrow(/Unknown command/);
    expect(() => lineOfInteraction(interaction({ command: 'nope', verb: null, options: [] }, []))).toThrow(/registering again/);
  });

  it('tells an autocomplete request which kind of value is being typed', () => {
    const focused = (leaf: Leaf, name: string, value: string) =>
      focusedOption(interaction(leaf, [{ type: 3, name, value, focused: true } as APIApplicationCommandInteractionDataBasicOption]));
    expect(focused({ command: 'pause', verb: null, options: [] }, 'connection', 'lin')).toEqual({ kind: 'connection', value: 'lin' });
    expect(focused({ command: 'connect', verb: null, options: [] }, 'provider', 'hub')).toEqual({ kind: 'provider', value: 'hub' });
    expect(focused({ command: 'rules', verb: 'pause', options: [] }, 'connection', '')).toEqual({ kind: 'connection', value: '' });
    expect(focused({ command: 'help', verb: null, options: [] }, 'command', 'pa')).toEqual({ kind: 'command', value: 'pa' });
    expect(focusedOption(interaction({ command: 'pause', verb: null, options: [] }, [{ type: 3, name: 'connection', value: 'x' }]))).toBeNull();
  });
});
