/**
 * Twilio Lookup v2 (line type intelligence, SMS pumping risk) through the lean REST client.
 * Nested package objects keep Twilio's snake_case keys in the raw JSON.
 */
import type { TwilioRest } from './twilio-rest';

export interface LookupResult {
  /** Which Lookup packages were asked for: a cached answer missing one is fetched again. */
  fields: string;
  /** Twilio's line type, e.g. mobile, landline, nonFixedVoip, premium, tollFree. */
  lineType: string | undefined;
  /** 0 (no risk) to 100. */
  pumpingRisk: number | undefined;
  /** When the answer was fetched (the cache's freshness is judged against the one clock). */
  at: number;
}

export type LookupFields = 'line_type_intelligence' | 'sms_pumping_risk';
export type PhoneLookup = (e164: string, now: number) => Promise<LookupResult>;

export function twilioLookup(rest: TwilioRest, fields: readonly LookupFields[]): PhoneLookup {
  return async (e164, now) => {
    const url = `${rest.endpoints.lookups}/v2/PhoneNumbers/${encodeURIComponent(e164)}?Fields=${fields.join(',')}`;
    const answer = await rest.get(url);
    const lineType = record(answer['line_type_intelligence'])?.['type'];
    const risk = record(answer['sms_pumping_risk'])?.['sms_pumping_risk_score'];
    return {
      fields: fields.join(','),
      lineType: typeof lineType === 'string' ? lineType : undefined,
      pumpingRisk: typeof risk === 'number' ? risk : undefined,
      at: now,
    };
  };
}

export function encodeLookup(result: LookupResult): string {
  return JSON.stringify(result);
}

export function decodeLookup(text: string | undefined): LookupResult | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<LookupResult>;
    if (typeof value.at !== 'number') return undefined;
    return {
      fields: typeof value.fields === 'string' ? value.fields : '',
      lineType: typeof value.lineType === 'string' ? value.lineType : undefined,
      pumpingRisk: typeof value.pumpingRisk === 'number' ? value.pumpingRisk : undefined,
      at: value.at,
    };
  } catch {
    return undefined;
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}
