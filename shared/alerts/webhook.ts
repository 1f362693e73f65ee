/**
 * The alert webhook: one POST per incident (a service cap tripped, a prefix or country blocked),
 * in Slack's incoming-webhook shape (`text`) plus a structured `tollguard` object. Bounded by a
 * short timeout, never redirected; a failed alert is logged, never fatal. Its messages never
 * quote the URL (it may carry a key in its path, query or user-info).
 */
import { NO_REDIRECT, discardBody, redirectProblem } from '../delivery/no-redirect';

export interface Incident {
  summary: string;
  trigger: string;
  tenant: string;
  at: number;
}

export type AlertSender = (incident: Incident) => Promise<string | undefined>;

/** The webhook's own deadline: an alert is worth little once the incident is minutes old, and it must not hold sockets open. */
export const ALERT_TIMEOUT_MS = 1500;

export function webhookAlertSender(url: string, timeoutMs = ALERT_TIMEOUT_MS, fetchImpl: typeof fetch = fetch): AlertSender {
  const target = splitUserInfo(url);
  return async (incident) => {
    try {
      const response = await fetchImpl(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...target.headers },
        body: JSON.stringify({
          text: `:rotating_light: tollguard (${incident.tenant}): ${incident.summary}`,
          tollguard: { ...incident, at: new Date(incident.at).toISOString() },
        }),
        redirect: NO_REDIRECT,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const redirect = redirectProblem(response, 'alert webhook', 'ALERT_WEBHOOK_URL');
      if (redirect !== undefined) {
        await discardBody(response);
        return redirect;
      }
      await response.arrayBuffer();
      return response.ok ? undefined : `alert webhook answered HTTP ${response.status}`;
    } catch (error) {
      return `alert webhook failed: ${describeFailure(error, timeoutMs)}`;
    }
  };
}

/**
 * fetch refuses URLs with user-info (and its error quotes the normalised URL, password included):
 * the user-info becomes a Basic Authorization header instead, as the admin meant.
 */
export function splitUserInfo(raw: string): { url: string; headers: Record<string, string> } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { url: raw, headers: {} };
  }
  if (url.username === '' && url.password === '') return { url: url.href, headers: {} };
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return { url: url.href, headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } };
}

/** By name and cause code only: undici's messages may quote the URL. */
function describeFailure(error: unknown, timeoutMs: number): string {
  const { name, cause } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; cause?: unknown };
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  return typeof name === 'string' && /^\w{1,40}$/.test(name) ? name : 'network error';
}
