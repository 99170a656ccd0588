/**
 * The bot token of a Slack team, for work that does not come with one (alert jobs).
 * Single-token mode: SLACK_BOT_TOKEN for every team. OAuth mode: the team's installation through
 * Bolt's installer, which refreshes a rotated token that expires within two hours and stores the
 * new one — so jobs that only post alerts keep rotated tokens fresh too (app.ts makes concurrent
 * look-ups of one team share one refresh).
 */
import { webApi } from '@slack/bolt';
import type { Config } from '../../src/config/index.ts';

/** What Bolt's `InstallProvider#authorize` offers (typed here so this module needs no @slack/oauth import). */
export type Authorizer = (source: { teamId?: string; enterpriseId?: string; isEnterpriseInstall: boolean }) => Promise<{ botToken?: string }>;

export type BotTokens = {
  botToken(teamId: string): Promise<string>;
  /** A Web API client for the team (cached per token), with Patchbay's client options. */
  client(teamId: string): Promise<webApi.WebClient>;
};

export type SlackClientOptions = webApi.WebClientOptions;

/** The Web API options every Patchbay client uses: SLACK_API_URL, no silent retries (callers decide), a timeout. */
export function clientOptions(config: Pick<Config, 'SLACK_API_URL'>, extra: SlackClientOptions = {}): SlackClientOptions {
  return {
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    retryConfig: { retries: 0 },
    timeout: 10_000,
    ...extra,
  };
}

export function createBotTokens(config: Config, authorize: Authorizer | null, options: SlackClientOptions): BotTokens {
  const clients = new Map<string, webApi.WebClient>();

  async function botToken(teamId: string): Promise<string> {
    if (!authorize) {
      if (!config.SLACK_BOT_TOKEN) throw new Error('Slack: no SLACK_BOT_TOKEN and no OAuth installer');
      return config.SLACK_BOT_TOKEN;
    }
    const r = await authorize({ teamId, isEnterpriseInstall: false });
    if (!r.botToken) throw new Error(`Slack installation of ${teamId} has no bot token`);
    return r.botToken;
  }

  return {
    botToken,
    async client(teamId) {
      const token = await botToken(teamId);
      let c = clients.get(token);
      if (!c) {
        if (clients.size > 1000) clients.clear();
        c = new webApi.WebClient(token, options);
        clients.set(token, c);
      }
      return c;
    },
  };
}
