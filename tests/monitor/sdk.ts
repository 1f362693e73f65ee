/**
 * The real `auth0` SDK clients pointed at the local Management API (tests/support/management-api-logs).
 * `ManagementClient` always builds `https://{domain}/api/v2`; the SDK's own sub-clients (exported
 * as `auth0/logs` and `auth0/users`) take a `baseUrl`, which lets in-process tests use plain HTTP.
 * The value comes from the public subpath; the type from the file it maps to (this repo resolves
 * modules the node10 way, which ignores package `exports`).
 */
import type { ManagementApi } from '../../scripts/monitor/cli';

const { LogsClient } = require('auth0/logs') as typeof import('auth0/dist/cjs/management/api/resources/logs/exports');
const { UsersClient } = require('auth0/users') as typeof import('auth0/dist/cjs/management/api/resources/users/exports');

export function sdkClients(serverUrl: string, token: string): ManagementApi {
  const options = { baseUrl: `${serverUrl}/api/v2`, token };
  return { logs: new LogsClient(options), users: new UsersClient(options) };
}
