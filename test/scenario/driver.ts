/**
 * The one interface a chat platform implements to run the shared chat scenario
 * (test/scenario/scenario.ts): Slack now (drivers/slack.ts), Discord and Teams later.
 *
 * It speaks only in what a person does and sees — runs a command, presses a labelled button,
 * fills a form, reads a channel — never in a platform's payloads. Everything a driver shows the
 * scenario is flattened to plain text: the platform's formatting marks are dropped (Slack `*bold*`,
 * Discord `**bold**`, backticks), HTML entities decoded, links shown as their label, and mentions
 * of the scenario's people written `@owner`, `@admin`, `@member`, so one assertion holds on every
 * platform. Each driver runs the real Patchbay (real Postgres, real graphile-worker, real HTTP) with
 * a fake of the platform's API; `app` gives the scenario the database and HTTP API to check rows.
 */
import type { TestApp } from '../helpers/app.ts';

/** The scenario's people: an Owner (who linked the team), an Admin, and a plain Member. */
export type Role = 'owner' | 'admin' | 'member';

/**
 * Logical channels (the driver maps them to the platform's): `ops`, where commands are run unless
 * said otherwise, and `alerts`, the channel the scenario subscribes to alerts.
 */
export type Channel = 'ops' | 'alerts';

/** One message as its reader sees it. */
export type SeenMessage = {
  /** All visible text, flattened (see above). */
  text: string;
  /** Button labels, in order (link buttons included). */
  buttons: string[];
  /** Only the user who acted sees it (Slack ephemeral, Discord ephemeral). */
  ephemeral: boolean;
};

/** What one action (a command, a click, a form submission) showed the user, once it settled; or one channel post. */
export type Seen = {
  /** Every message's text, joined by newlines. */
  text: string;
  /** Every message's button labels, in order. */
  buttons: string[];
  /** The form (modal) the action opened, or that stayed open with `errors` after an invalid submission. */
  form?: {
    title: string;
    /** The form's field names (the core's `FormField.name`), in order. */
    fields: string[];
    /** Per-field problems shown on the still-open form. */
    errors?: Record<string, string>;
  };
  /** True when nothing of it is visible to anyone but the user (a denial, a private read). */
  ephemeral: boolean;
  messages: SeenMessage[];
  /** The platform's payloads, for debugging a failure; the scenario never reads it. */
  raw: unknown;
};

export type SettleOptions = {
  /**
   * Waits (bounded) until what the user saw satisfies this, on top of the default settling (no
   * placeholder still waiting for its result, then a short quiet period). For results that arrive
   * by a separate route, e.g. a sync's progress message edited into its summary.
   */
  until?: (seen: Seen) => boolean;
};

export type ActOptions = SettleOptions & {
  /** Where the user runs the command; default `ops`. */
  channel?: Channel;
};

/** A click happens where its message is; a submission where its form was opened. */
export type ClickOptions = SettleOptions & {
  /**
   * For a button that asks first (the core's `confirm`: Slack's client-side confirm dialog,
   * Discord's ephemeral Confirm/Cancel prompt): `true` confirms, `false` cancels. Required for
   * such a button, and an error for one that does not ask — so the scenario states, and the driver
   * checks, which clicks ask for confirmation.
   */
  confirm?: boolean;
};

export interface ScenarioDriver {
  /** The platform's name as the scenario reports it, e.g. `Slack`; lower-cased, the audit log's `via`. */
  readonly platform: string;
  /** The running Patchbay (its `dbUrl` for rows, `fetch` for the HTTP API, `pb.rt` for the runtime). */
  readonly app: TestApp;
  /**
   * Starts the app (with workers, the Sandbox on, private webhook targets allowed) and the fake
   * platform, and links the team/server to the default workspace: the Owner redeems a single-use
   * link code. The Admin holds the platform's admin role (which Patchbay trusts); the Member none.
   */
  setup(): Promise<void>;
  /** Runs `line` as the user's Patchbay command (Slack: `/integrations <line>`). */
  command(as: Role, line: string, opts?: ActOptions): Promise<Seen>;
  /**
   * Presses the button labelled `label` on a message of `seen` (the latest message holding one).
   * A message only its reader saw can be clicked only by that reader: the driver refuses otherwise.
   */
  click(as: Role, seen: Seen, label: string, opts?: ClickOptions): Promise<Seen>;
  /** Submits the form `seen` shows, with `values` by field name (untouched fields keep their prefilled values). */
  submit(as: Role, seen: Seen, values: Record<string, string>, opts?: SettleOptions): Promise<Seen>;
  /** Waits (bounded) for a message the bot posted in `channel` whose text satisfies `predicate`; the newest version of it. */
  waitForChannelPost(channel: Channel, predicate: (text: string) => boolean, timeoutMs?: number): Promise<Seen>;
  /** Every message the bot posted in `channel` so far (newest versions), for "exactly once" checks. */
  channelPosts(channel: Channel): Promise<Seen[]>;
  close(): Promise<void>;
}

/** The Seen of several messages, as drivers build it. */
export function seenOf(messages: SeenMessage[], raw: unknown, form?: Seen['form']): Seen {
  return {
    text: messages.map((m) => m.text).join('\n'),
    buttons: messages.flatMap((m) => m.buttons),
    ...(form ? { form } : {}),
    ephemeral: messages.every((m) => m.ephemeral),
    messages,
    raw,
  };
}

/**
 * Waits (bounded) for the first of `posts()` whose text satisfies `predicate`, re-reading them
 * every 50 ms: each driver's `waitForChannelPost`, with what the platform's posts are and read as.
 */
export async function waitForPost<T>(platform: string, channel: Channel, posts: () => T[], textOf: (p: T) => string, predicate: (text: string) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = posts().find((p) => predicate(textOf(p)));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`${platform}: no post in ${channel} matched within ${timeoutMs} ms; posted:\n${posts().map(textOf).join('\n---\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
