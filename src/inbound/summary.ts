/** One line on a connection's provider webhooks, for its chat card (`status`). */
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProviderWebhook } from '../entities/provider-webhook.ts';

const ago = (d: Date) => {
  const s = Math.max(0, Math.round((Date.now() - d.getTime()) / 1000));
  return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : s < 129_600 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86_400)} d ago`;
};

/** null when the connection has none (its realtime rules, if any, poll). */
export async function webhookSummary(em: EntityManager, connectionId: string): Promise<string | null> {
  const rows = await em.find(ProviderWebhook, { connection: connectionId }, { orderBy: { createdAt: 'asc' } });
  if (!rows.length) return null;
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  const parts: string[] = [];
  if (count('active')) parts.push(`${count('active')} receiving`);
  if (count('pending')) parts.push(`${count('pending')} registering`);
  const failed = rows.find((r) => r.status === 'failed');
  if (failed) parts.push(`${count('failed')} failed (${failed.error ?? 'unknown error'}) — realtime rules poll meanwhile`);
  const last = rows.map((r) => r.lastReceivedAt).filter((d): d is Date => Boolean(d)).sort((a, b) => b.getTime() - a.getTime())[0];
  parts.push(last ? `last change received ${ago(last)}` : 'nothing received yet');
  return parts.join(', ');
}
