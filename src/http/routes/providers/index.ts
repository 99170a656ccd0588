import deleteProviderApp from './delete-provider-app.ts';
import listProviders from './list-providers.ts';
import putProviderApp from './put-provider-app.ts';

export default [listProviders, putProviderApp, deleteProviderApp];
