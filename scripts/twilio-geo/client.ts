/**
 * A lean client for the two Twilio APIs behind the account's country settings:
 * Messaging Geo Permissions (Accounts v1: GET and PATCH /v1/Messaging/GeoPermissions) and Voice
 * Dialing Permissions (Voice v1: GET /v1/DialingPermissions/Countries, paged, and POST
 * /v1/DialingPermissions/BulkCountryUpdates).
 *
 * Plain fetch with HTTP Basic auth. Redirects are never followed (the credentials stay with the
 * named hosts), every request has a hard timeout, and a 429 is retried a bounded number of times,
 * honouring Retry-After when it is short. Answers are checked for the fields the plan relies on; a
 * different shape is an error, never a guess.
 */
import type { GeoAuth } from './environment';
import type { AccountSettings, SmsSetting, VoiceSetting, VoiceSwitches } from './plan';

export interface ClientOptions {
  accountsUrl: string;
  voiceUrl: string;
  auth: GeoAuth;
  timeoutMs?: number; // per request, default 10 s
  maxRetries?: number; // on 429, default 2
  maxRetryAfterMs?: number; // a longer Retry-After is not waited for, default 5 s
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/** Twilio answered with an error, or not at all. `code` is Twilio's error code when it sent one. */
export class TwilioGeoError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'TwilioGeoError';
  }
}

/** One country's result in a Geo Permissions update: error_code 0 is success. */
export interface SmsUpdateResult {
  country: string;
  enabled: boolean;
  errorCode: number;
  errorMessages: string[];
}

const VOICE_PAGE_SIZE = 1000; // the spec's maximum
const MAX_PAGES = 20;

type Json = Record<string, unknown>;

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** DOMException (a timeout) may come from another realm, so it is read by shape, not instanceof. */
function errorField(error: unknown, field: 'name' | 'message'): string {
  const value = typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value : field === 'message' ? String(error) : '';
}

function isTimeout(error: unknown): boolean {
  const name = errorField(error, 'name');
  return name === 'TimeoutError' || name === 'AbortError';
}

function describe(method: string, url: string): string {
  const u = new URL(url);
  return `${method} ${u.origin}${u.pathname}`;
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export class TwilioGeoClient {
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxRetryAfterMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly authorization: string;
  /** Requests sent, for the summary. */
  requestCount = 0;

  constructor(private readonly options: ClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxRetries = options.maxRetries ?? 2;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 5000;
    this.fetchImpl = options.fetch ?? fetch;
    this.sleep = options.sleep ?? delay;
    this.authorization = `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
  }

  async readSettings(): Promise<AccountSettings> {
    return { sms: await this.readSms(), voice: await this.readVoice() };
  }

  async readSms(): Promise<SmsSetting[]> {
    const body = await this.request('GET', `${this.options.accountsUrl}/v1/Messaging/GeoPermissions`);
    const list = isJson(body) ? body.permissions : undefined;
    if (!Array.isArray(list)) throw this.shapeError('GET /v1/Messaging/GeoPermissions', 'permissions is not a list');
    return list.map((item, index) => {
      if (!isJson(item) || typeof item.country_code !== 'string' || typeof item.enabled !== 'boolean') {
        throw this.shapeError('GET /v1/Messaging/GeoPermissions', `permissions[${index}] has no country_code and enabled`);
      }
      return { country: item.country_code, enabled: item.enabled, message: typeof item.message === 'string' ? item.message : '' };
    });
  }

  async readVoice(): Promise<VoiceSetting[]> {
    const settings: VoiceSetting[] = [];
    let url: string | null = `${this.options.voiceUrl}/v1/DialingPermissions/Countries?PageSize=${VOICE_PAGE_SIZE}`;
    for (let page = 0; url !== null; page += 1) {
      if (page >= MAX_PAGES) throw new TwilioGeoError(`Dialing Permissions answered more than ${MAX_PAGES} pages; stopped`);
      const body = await this.request('GET', url);
      if (!isJson(body) || !Array.isArray(body.content) || !isJson(body.meta)) {
        throw this.shapeError('GET /v1/DialingPermissions/Countries', 'no content list and meta');
      }
      body.content.forEach((item, index) => settings.push(this.voiceSetting(item, index)));
      url = this.nextPage(body.meta.next_page_url);
    }
    return settings;
  }

  /** A next page is followed only on the Voice host this client was given. */
  private nextPage(next: unknown): string | null {
    if (next === null || next === undefined) return null;
    if (typeof next !== 'string' || !URL.canParse(next)) throw this.shapeError('GET /v1/DialingPermissions/Countries', 'next_page_url is not a URL');
    const expected = new URL(this.options.voiceUrl).origin;
    if (new URL(next).origin !== expected) {
      throw new TwilioGeoError(`Dialing Permissions pointed the next page at ${new URL(next).origin}, not ${expected}; not followed`);
    }
    return next;
  }

  private voiceSetting(item: unknown, index: number): VoiceSetting {
    if (!isJson(item) || typeof item.iso_code !== 'string') {
      throw this.shapeError('GET /v1/DialingPermissions/Countries', `content[${index}] has no iso_code`);
    }
    // The spec makes each switch nullable. A null high-risk switch counts as on (so the plan turns
    // it off), a null low-risk switch as off (so nothing is ever turned on by a write it was part of).
    const flag = (name: string, ifNull: boolean): boolean => {
      const value = item[name];
      if (value === null) return ifNull;
      if (typeof value !== 'boolean') throw this.shapeError('GET /v1/DialingPermissions/Countries', `content[${index}].${name} is not true or false`);
      return value;
    };
    const switches: VoiceSwitches = {
      low: flag('low_risk_numbers_enabled', false),
      special: flag('high_risk_special_numbers_enabled', true),
      tollFraud: flag('high_risk_tollfraud_numbers_enabled', true),
    };
    return { isoCode: item.iso_code, name: typeof item.name === 'string' ? item.name : item.iso_code, switches };
  }

  /** PATCH /v1/Messaging/GeoPermissions: one `Permissions` value per country, each a JSON object. */
  async updateSms(changes: { country: string; enabled: boolean }[]): Promise<SmsUpdateResult[]> {
    const form = new URLSearchParams();
    for (const c of changes) form.append('Permissions', JSON.stringify({ country_code: c.country, type: 'country', enabled: c.enabled }));
    const body = await this.request('PATCH', `${this.options.accountsUrl}/v1/Messaging/GeoPermissions`, form);
    const list = isJson(body) ? body.permissions : undefined;
    if (!Array.isArray(list)) throw this.shapeError('PATCH /v1/Messaging/GeoPermissions', 'permissions is not a list');
    return list.map((item, index) => {
      if (!isJson(item) || typeof item.country_code !== 'string' || typeof item.error_code !== 'number') {
        throw this.shapeError('PATCH /v1/Messaging/GeoPermissions', `permissions[${index}] has no country_code and error_code`);
      }
      const messages = Array.isArray(item.error_messages) ? item.error_messages.filter((m): m is string => typeof m === 'string') : [];
      return { country: item.country_code, enabled: item.enabled === true, errorCode: item.error_code, errorMessages: messages };
    });
  }

  /** POST /v1/DialingPermissions/BulkCountryUpdates: Twilio answers only how many countries it updated. */
  async updateVoice(changes: { isoCode: string; switches: VoiceSwitches }[]): Promise<number> {
    const request = changes.map((c) => ({
      iso_code: c.isoCode,
      low_risk_numbers_enabled: String(c.switches.low),
      high_risk_special_numbers_enabled: String(c.switches.special),
      high_risk_tollfraud_numbers_enabled: String(c.switches.tollFraud),
    }));
    const form = new URLSearchParams({ UpdateRequest: JSON.stringify(request) });
    const body = await this.request('POST', `${this.options.voiceUrl}/v1/DialingPermissions/BulkCountryUpdates`, form);
    if (!isJson(body) || typeof body.update_count !== 'number') {
      throw this.shapeError('POST /v1/DialingPermissions/BulkCountryUpdates', 'no update_count');
    }
    return body.update_count;
  }

  private shapeError(what: string, problem: string): TwilioGeoError {
    return new TwilioGeoError(`${what}: unexpected answer (${problem})`);
  }

  private async request(method: string, url: string, form?: URLSearchParams): Promise<unknown> {
    for (let attempt = 0; ; attempt += 1) {
      const response = await this.send(method, url, form);
      if (response.status !== 429) return this.read(method, url, response, '');
      const wait = retryAfterMs(response.headers.get('retry-after'), Date.now()) ?? 1000 * (attempt + 1);
      if (wait > this.maxRetryAfterMs) {
        const hint = ` (rate limited; Twilio asks to wait ${Math.ceil(wait / 1000)} s, longer than the ${this.maxRetryAfterMs / 1000} s this tool waits: run it again later)`;
        return this.read(method, url, response, hint);
      }
      if (attempt >= this.maxRetries) return this.read(method, url, response, ` (rate limited; retried ${attempt} times, then gave up)`);
      await response.body?.cancel();
      await this.sleep(wait);
    }
  }

  private async send(method: string, url: string, form: URLSearchParams | undefined): Promise<Response> {
    this.requestCount += 1;
    const headers: Record<string, string> = { Authorization: this.authorization, Accept: 'application/json' };
    if (form !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    try {
      return await this.fetchImpl(url, {
        method,
        headers,
        body: form?.toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      if (isTimeout(error)) {
        throw new TwilioGeoError(`${describe(method, url)}: Twilio did not answer within ${this.timeoutMs / 1000} s (stalled); stopped there`);
      }
      const cause = error instanceof Error && error.cause !== undefined ? `: ${errorField(error.cause, 'message')}` : '';
      throw new TwilioGeoError(`${describe(method, url)}: cannot reach Twilio (${errorField(error, 'message')}${cause})`);
    }
  }

  private async read(method: string, url: string, response: Response, rateHint: string): Promise<unknown> {
    const where = describe(method, url);
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new TwilioGeoError(`${where}: Twilio answered a redirect (${response.status}); redirects are not followed`, response.status);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      const broke = isTimeout(error) ? `the answer stalled (over ${this.timeoutMs / 1000} s)` : 'the answer broke off';
      throw new TwilioGeoError(`${where}: ${broke}`, response.status);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (response.ok) {
      if (body === undefined) throw new TwilioGeoError(`${where}: Twilio answered ${response.status} without JSON`, response.status);
      return body;
    }
    if (isJson(body) && typeof body.code === 'number' && typeof body.message === 'string') {
      const hint = response.status === 401 ? ' (check the credentials)' : rateHint;
      throw new TwilioGeoError(`${where}: Twilio error ${body.code}: ${body.message}${hint}`, response.status, body.code);
    }
    throw new TwilioGeoError(`${where}: Twilio answered HTTP ${response.status}${body === undefined ? ' (not JSON)' : ''}`, response.status);
  }
}
