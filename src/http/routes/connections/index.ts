import createConnection from './create-connection.ts';
import disconnectConnection from './disconnect-connection.ts';
import getConnection from './get-connection.ts';
import listConnectionLogs from './list-connection-logs.ts';
import listConnectionWebhooks from './list-connection-webhooks.ts';
import deleteWebhookSecret from './delete-webhook-secret.ts';
import listConnections from './list-connections.ts';
import pauseConnection from './pause-connection.ts';
import reconnectConnection from './reconnect-connection.ts';
import resumeConnection from './resume-connection.ts';
import setWebhookSecret from './set-webhook-secret.ts';
import startOAuth from './start-oauth.ts';
import testConnection from './test-connection.ts';
import updateConnection from './update-connection.ts';

export default [
  listConnections,
  createConnection,
  startOAuth,
  getConnection,
  updateConnection,
  testConnection,
  pauseConnection,
  resumeConnection,
  reconnectConnection,
  disconnectConnection,
  listConnectionLogs,
  listConnectionWebhooks,
  setWebhookSecret,
  deleteWebhookSecret,
];
