/**
 * The `/integrations` slash command, derived from the chat core's registry and typed grammar
 * (src/commands/grammar.ts): one subcommand per command, or a subcommand group of its verbs
 * (`/integrations alerts here`, `/integrations hooks list`). Options are typed — users for `user`
 * params, booleans for flags, integers, fixed choices — and connection and provider options are
 * autocompleted (src/commands/complete.ts). What Discord sends back becomes the same command line
 * every platform runs (`lineOfInteraction`), so the server re-checks everything as for a typed line.
 *
 * The definitions are registered with `npm run discord:register` and kept, generated, in
 * manifest/discord-commands.json (`npm run discord:commands`).
 */
import {
  ApplicationCommandOptionType,
  ApplicationIntegrationType,
  InteractionContextType,
  SlashCommandBuilder,
  SlashCommandSubcommandBuilder,
  type APIApplicationCommandInteractionDataBasicOption,
  type APIChatInputApplicationCommandInteractionData,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { clip, formOf, formsOf, lineOf, type Form, type LineValues, type Param, type ParamKind } from '../../src/commands/grammar.ts';
import { commands, findCommand } from '../../src/commands/registry.ts';
import type { Command } from '../../src/commands/types.ts';
import { AppError } from '../../src/errors.ts';

export const DISCORD_COMMAND = 'integrations';

const DESCRIPTION = 'Patchbay: connect services, sync them, manage webhooks and alerts';

/**
 * A command's description: its summary up to the first clause break (`:`, `;`, ` (`, `, with`…),
 * since Discord counts every name and description of a command against one budget (4000).
 */
export function describe(summary: string): string {
  const head = /^(.{16,}?)(?::|;| \(| —|, with|, optionally|, or|, and)/.exec(summary)?.[1];
  return clip(head ?? summary);
}

const choiceName = (value: string) => value.replace(/_/g, ' ');

function addOptions(sub: SlashCommandSubcommandBuilder, params: readonly Param[]): SlashCommandSubcommandBuilder {
  // Discord wants required options first; the line's order comes from the grammar, not from here.
  const ordered = [...params.filter((p) => p.required), ...params.filter((p) => !p.required)];
  for (const p of ordered) {
    const description = clip(p.description);
    const required = Boolean(p.required);
    switch (p.kind) {
      case 'flag':
        sub.addBooleanOption((o) => o.setName(p.name).setDescription(description).setRequired(required));
        break;
      case 'user':
        sub.addUserOption((o) => o.setName(p.name).setDescription(description).setRequired(required));
        break;
      case 'integer':
        sub.addIntegerOption((o) => o.setName(p.name).setDescription(description).setRequired(required));
        break;
      default:
        sub.addStringOption((o) => {
          o.setName(p.name).setDescription(description).setRequired(required);
          if (p.kind === 'connection' || p.kind === 'provider' || p.kind === 'command') return o.setAutocomplete(true);
          if (p.kind === 'choice' && !p.multiple) o.addChoices(...(p.choices ?? []).map((value) => ({ name: choiceName(value), value })));
          return o;
        });
    }
  }
  return sub;
}

function subcommand(name: string, description: string, form: Form): SlashCommandSubcommandBuilder {
  return addOptions(new SlashCommandSubcommandBuilder().setName(name).setDescription(description), form.params);
}

/** The application commands to register: today the one `/integrations`, guild-only, visible to everyone (the server checks roles). */
export function discordCommandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const root = new SlashCommandBuilder()
    .setName(DISCORD_COMMAND)
    .setDescription(DESCRIPTION)
    .setContexts(InteractionContextType.Guild)
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall);
  for (const command of commands) {
    const forms = formsOf(command);
    if (forms[0]?.verb) {
      root.addSubcommandGroup((g) => {
        g.setName(command.name).setDescription(describe(command.summary));
        for (const f of forms) g.addSubcommand(subcommand(f.verb!.name, clip(f.verb!.summary), f));
        return g;
      });
    } else {
      root.addSubcommand(subcommand(command.name, describe(command.summary), forms[0]!));
    }
  }
  return [root.toJSON()];
}

type Chosen = { command: Command; verb: string | null; options: APIApplicationCommandInteractionDataBasicOption[] };

/** The command, verb and options an interaction chose (group → subcommand → options). */
function chosen(data: APIChatInputApplicationCommandInteractionData): Chosen {
  if (data.name !== DISCORD_COMMAND) throw new AppError('validation_failed', `Unknown command /${data.name}.`);
  const top = data.options?.[0];
  if (!top || (top.type !== ApplicationCommandOptionType.Subcommand && top.type !== ApplicationCommandOptionType.SubcommandGroup)) {
    throw new AppError('validation_failed', `Choose a /${DISCORD_COMMAND} subcommand.`);
  }
  const command = findCommand(top.name);
  if (!command) throw new AppError('validation_failed', `Unknown /${DISCORD_COMMAND} subcommand '${top.name}': the commands may need registering again.`);
  if (top.type === ApplicationCommandOptionType.Subcommand) return { command, verb: null, options: top.options ?? [] };
  const sub = top.options[0];
  if (!sub) throw new AppError('validation_failed', `Choose what /${DISCORD_COMMAND} ${top.name} should do.`);
  return { command, verb: sub.name, options: sub.options ?? [] };
}

/** The command line a slash-command interaction stands for, e.g. `pause "Linear Eng" migrating`. */
export function lineOfInteraction(data: APIChatInputApplicationCommandInteractionData): string {
  const { command, verb, options } = chosen(data);
  const values: LineValues = {};
  for (const o of options) {
    if ('value' in o && (typeof o.value === 'string' || typeof o.value === 'number' || typeof o.value === 'boolean')) values[o.name] = o.value;
  }
  return lineOf(command, verb, values);
}

/** For an autocomplete interaction: what the focused option names (its grammar kind) and what is typed so far. */
export function focusedOption(data: APIChatInputApplicationCommandInteractionData): { kind: ParamKind; value: string } | null {
  const { command, verb, options } = chosen(data);
  const focused = options.find((o) => 'focused' in o && o.focused);
  if (!focused || !('value' in focused)) return null;
  const param = formOf(command, verb).params.find((p) => p.name === focused.name);
  return param ? { kind: param.kind, value: String(focused.value) } : null;
}
