import createWebhook from './create-webhook.ts';
import deleteWebhook from './delete-webhook.ts';
import getWebhook from './get-webhook.ts';
import listEventTypes from './list-event-types.ts';
import listDeliveries from './list-deliveries.ts';
import listWebhooks from './list-webhooks.ts';
import redeliver from './redeliver.ts';
import testWebhook from './test-webhook.ts';
import rotateWebhookSecret from './rotate-webhook-secret.ts';
import updateWebhook from './update-webhook.ts';

// The catalog comes before `/webhooks/:id`, which would otherwise take `event-types` for an id.
export default [listEventTypes, listWebhooks, createWebhook, getWebhook, updateWebhook, deleteWebhook, rotateWebhookSecret, testWebhook, listDeliveries, redeliver];
