/**
 * `slashOfLine` (test/discord/support.ts) reads a typed command line as the slash command a
 * Discord user picks; `lineOfInteraction` must turn that back into the same line.
 */
import type { APIChatInputApplicationCommandInteractionData } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { lineOfInteraction } from '../../bots/discord/commands.ts';
import { parseLine } from '../../src/commands/parse.ts';
import { commands } from '../../src/commands/registry.ts';
import { commandData, slashOfLine } from './support.ts';

const roundTrip = (line: string) => lineOfInteraction(commandData(slashOfLine(line).path, slashOfLine(line).values) as unknown as APIChatInputApplicationCommandInteractionData);

describe('slashOfLine', () => {
  it('reads the shared scenario’s lines as their subcommands and typed options', () => {
    expect(slashOfLine('connect sandbox')).toEqual({ path: ['connect'], values: { provider: 'sandbox' } });
    expect(slashOfLine('pause sandbox maintenance window')).toEqual({ path: ['pause'], values: { connection: 'sandbox', reason: 'maintenance window' } });
    expect(slashOfLine('alerts here conflicts webhooks')).toEqual({ path: ['alerts', 'here'], values: { kinds: 'conflicts webhooks' } });
    expect(slashOfLine('rules sandbox add')).toEqual({ path: ['rules', 'add'], values: { connection: 'sandbox' } });
    expect(slashOfLine('rules sandbox')).toEqual({ path: ['rules', 'list'], values: { connection: 'sandbox' } });
    expect(slashOfLine('webhooks')).toEqual({ path: ['webhooks', 'list'], values: {} });
    expect(slashOfLine('alerts off for "Linear Eng"')).toEqual({ path: ['alerts', 'off'], values: { connection: 'Linear Eng' } });
    expect(slashOfLine('connect linear --api-key')).toEqual({ path: ['connect'], values: { provider: 'linear', 'api-key': true } });
  });

  it('comes back as the same line through lineOfInteraction', () => {
    for (const line of ['connect sandbox', 'test sandbox', 'pause sandbox maintenance window', 'rules sandbox add', 'sync sandbox', 'alerts here conflicts webhooks', 'disconnect sandbox', 'webhooks']) {
      expect(roundTrip(line), line).toBe(line);
    }
  });

  it('reads every command’s examples, and they come back with the same arguments and flags', () => {
    let n = 0;
    for (const c of commands) {
      for (const example of c.examples) {
        // A typed `@ada` names nobody Discord can put in a user option (a picked user is `<@id>`).
        if (/(^|\s)@\w/.test(example)) continue;
        // A choice comes back as its value: `"project management"` → `project_management`.
        const read = (line: string) => {
          const p = parseLine(line);
          return { name: p.name, args: p.args.map((a) => a.replace(/_/g, ' ')), flags: [...p.flags].sort() };
        };
        const back = roundTrip(example);
        expect(read(back), example).toEqual(read(example));
        expect(roundTrip(back), example).toBe(back);
        n++;
      }
    }
    expect(n).toBeGreaterThan(20);
  });

  it('refuses a line no form reads', () => {
    expect(() => slashOfLine('nosuchcommand')).toThrow(/no chat command/);
    expect(() => slashOfLine('alerts here nonsense')).toThrow(/no form/);
    expect(() => slashOfLine('pause')).toThrow(/no form/);
  });
});
