/**
 * The adapter from the Auth0 pre-user-registration v2 event to the guard's inputs. Every field
 * is optional here: users created from the Dashboard or the Management API have no request body,
 * some connections have no e-mail, and geoip may be missing.
 */
import { isRecord } from '../auth0/event-fields';
import { readHostname } from '../captcha/hostname';
import { parseIp, type IpAddress } from '../net/ip';

export interface RegistrationRequest {
  email: unknown;
  phone: unknown;
  ip: IpAddress | undefined;
  /**
   * The login's host (`event.request.hostname`: the tenant domain or its custom domain),
   * lower-cased, without a port; undefined when the event names none or something that is no host.
   */
  hostname: string | undefined;
  requestCountry: string | undefined;
  connectionName: string | undefined;
  clientId: string | undefined;
  body: Record<string, unknown> | undefined;
  language: string | undefined;
}

export function readRegistrationEvent(event: unknown): RegistrationRequest {
  const root = isRecord(event) ? event : {};
  const user = isRecord(root['user']) ? root['user'] : {};
  const request = isRecord(root['request']) ? root['request'] : {};
  const geoip = isRecord(request['geoip']) ? request['geoip'] : {};
  const connection = isRecord(root['connection']) ? root['connection'] : {};
  const client = isRecord(root['client']) ? root['client'] : {};
  const country = geoip['countryCode'];
  return {
    email: user['email'],
    phone: user['phone_number'],
    ip: parseIp(request['ip']),
    hostname: readHostname(request['hostname']),
    requestCountry: typeof country === 'string' && /^[A-Z]{2}$/.test(country) ? country : undefined,
    connectionName: text(connection['name']),
    clientId: text(client['client_id']),
    body: isRecord(request['body']) ? request['body'] : undefined,
    language: text(request['language']),
  };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 256 ? value : undefined;
}
