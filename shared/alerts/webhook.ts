/**
 * The alert webhook: one POST per incident (a service cap tripped, a prefix or country blocked),
 * in Slack's incoming-webhook shape (`text`) plus a structured `tollguard` object. Bounded by a
 * short timeout; a failed alert is logged, never fatal.
 */
export interface Incident {
  summary: string;
  trigger: string;
  tenant: string;
  at: number;
}

export type AlertSender = (incident: Incident) => Promise<string | undefined>;

export function webhookAlertSender(url: string, timeoutMs = 1500, fetchImpl: typeof fetch = fetch): AlertSender {
  return async (incident) => {
    try {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          text: `:rotating_light: tollguard (${incident.tenant}): ${incident.summary}`,
          tollguard: { ...incident, at: new Date(incident.at).toISOString() },
        }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer();
      return response.ok ? undefined : `alert webhook answered HTTP ${response.status}`;
    } catch (error) {
      return `alert webhook failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
}
