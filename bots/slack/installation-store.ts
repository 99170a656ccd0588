/**
 * Bolt's installation store (https://docs.slack.dev/tools/bolt-js/concepts/authenticating-oauth)
 * backed by Postgres through the chat core's `ChatTeam` rows: the non-secret facts of an install
 * (team, bot user id, scopes, expiry) in `installation`, the tokens as vault ciphertext in
 * `secrets`. Bolt's installer writes here on install and again whenever it refreshes a rotated
 * token. An installed team still answers only `help` and `link` until an Owner's code links it.
 */
import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import { recordInstallation } from '../../src/chat/tenancy.ts';
import { ChatTeam } from '../../src/entities/chat-team.ts';
import type { Runtime } from '../../src/runtime.ts';

/** Everything secret in an installation, stored only encrypted. */
type InstallationSecrets = {
  botToken?: string;
  botRefreshToken?: string;
  userToken?: string;
  userRefreshToken?: string;
  incomingWebhookUrl?: string;
};

type AnyInstallation = Installation<'v1' | 'v2', boolean>;

/**
 * Marks an installation this store handed out. Bolt's installer stores one again only after
 * refreshing its rotated token (it spreads the fetched object, which keeps the mark); a fresh
 * install from the OAuth callback never carries it.
 */
const FETCHED = Symbol('patchbay.slack.fetched-installation');

/** The ChatTeam external id an installation is kept under: the team, or the org for org-wide installs. */
function keyOf(q: { isEnterpriseInstall?: boolean; teamId?: string; enterpriseId?: string }): string {
  const key = q.isEnterpriseInstall ? q.enterpriseId : q.teamId;
  if (!key) throw new Error('Slack installation query without a team or enterprise id');
  return key;
}

export function splitInstallation(installation: AnyInstallation): { facts: Record<string, unknown>; secrets: InstallationSecrets } {
  const facts = structuredClone(installation) as AnyInstallation;
  const secrets: InstallationSecrets = {};
  if (facts.bot) {
    secrets.botToken = facts.bot.token;
    if (facts.bot.refreshToken) secrets.botRefreshToken = facts.bot.refreshToken;
    delete (facts.bot as Partial<typeof facts.bot>).token;
    delete facts.bot.refreshToken;
  }
  if (facts.user) {
    if (facts.user.token) secrets.userToken = facts.user.token;
    if (facts.user.refreshToken) secrets.userRefreshToken = facts.user.refreshToken;
    delete (facts.user as Partial<typeof facts.user>).token;
    delete facts.user.refreshToken;
  }
  if (facts.incomingWebhook) {
    secrets.incomingWebhookUrl = facts.incomingWebhook.url;
    delete (facts.incomingWebhook as Partial<typeof facts.incomingWebhook>).url;
  }
  return { facts: facts as unknown as Record<string, unknown>, secrets };
}

export function joinInstallation(facts: Record<string, unknown>, secrets: InstallationSecrets): AnyInstallation {
  const out = structuredClone(facts) as unknown as AnyInstallation;
  if (out.bot && secrets.botToken) {
    out.bot.token = secrets.botToken;
    if (secrets.botRefreshToken) out.bot.refreshToken = secrets.botRefreshToken;
  }
  if (out.user) {
    if (secrets.userToken) out.user.token = secrets.userToken;
    if (secrets.userRefreshToken) out.user.refreshToken = secrets.userRefreshToken;
  }
  if (out.incomingWebhook && secrets.incomingWebhookUrl) out.incomingWebhook.url = secrets.incomingWebhookUrl;
  return out;
}

export function createInstallationStore(rt: Runtime): InstallationStore {
  return {
    async storeInstallation(installation) {
      const teamId = keyOf({
        isEnterpriseInstall: installation.isEnterpriseInstall,
        teamId: installation.team?.id,
        enterpriseId: installation.enterprise?.id,
      });
      const { facts, secrets } = splitInstallation(installation);
      const teamName = installation.isEnterpriseInstall ? installation.enterprise?.name : installation.team?.name;
      const refresh = FETCHED in installation;
      const stored = await recordInstallation(rt, { platform: 'slack', teamId, ...(teamName ? { teamName } : {}) }, { installation: facts, secrets }, { refresh });
      if (!stored) return;
      rt.logger.info({ team: teamId, rotation: Boolean(secrets.botRefreshToken), expiresAt: installation.bot?.expiresAt, refresh }, 'slack installation stored');
    },

    async fetchInstallation(query: InstallationQuery<boolean>) {
      const teamId = keyOf(query);
      const team = await rt.em().findOne(ChatTeam, { platform: 'slack', externalId: teamId, active: true }, { populate: ['secrets'] });
      if (!team?.installation || !team.secrets) throw new Error(`No active Slack installation for ${teamId}: install the app (/slack/install).`);
      return Object.assign(joinInstallation(team.installation, rt.vault.decrypt<InstallationSecrets>(team.secrets)), { [FETCHED]: true });
    },

    async deleteInstallation(query: InstallationQuery<boolean>) {
      const teamId = keyOf(query);
      // The tokens are dead (uninstalled or revoked): forget them. The row stays for its history.
      await rt.em().nativeUpdate(ChatTeam, { platform: 'slack', externalId: teamId }, { secrets: null });
    },
  };
}
