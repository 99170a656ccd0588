import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Workspace } from './workspace.ts';

/** A workspace's own OAuth app for a provider; wins over the instance-wide PROVIDER_<SLUG>_* app. */
export const ProviderApp = defineEntity({
  name: 'ProviderApp',
  tableName: 'provider_apps',
  uniques: [{ properties: ['workspace', 'providerSlug'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    providerSlug: p.string(),
    clientId: p.string(),
    /** Vault ciphertext of the client secret. */
    clientSecret: p.text().hidden(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IProviderApp = InferEntity<typeof ProviderApp>;
