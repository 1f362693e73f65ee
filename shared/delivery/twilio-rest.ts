/**
 * A lean Twilio REST client: form-encoded POSTs and GETs with HTTP Basic auth through the
 * runtime's fetch, one hard timeout per request, no retries (a login is waiting). Chosen over the
 * `twilio` SDK for bundle size and cold-start time; the figures are in docs/benchmarks.md.
 */
import { NO_REDIRECT, discardBody, redirectProblem } from './no-redirect';
import { TwilioError, explainTwilioCode } from './twilio-errors';

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

export interface TwilioEndpoints {
  api: string;
  verify: string;
  lookups: string;
}

export const TWILIO_ENDPOINTS: TwilioEndpoints = {
  api: 'https://api.twilio.com',
  verify: 'https://verify.twilio.com',
  lookups: 'https://lookups.twilio.com',
};

export interface TwilioRestOptions {
  credentials: TwilioCredentials;
  endpoints: TwilioEndpoints;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export type FormParams = Record<string, string | undefined>;

export class TwilioRest {
  private readonly authorization: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: TwilioRestOptions) {
    const { accountSid, authToken } = options.credentials;
    this.authorization = 'Basic ' + Buffer.from(`${accountSid}:${authToken}`).toString('base64');
    this.fetchImpl = options.fetch ?? fetch;
  }

  get endpoints(): TwilioEndpoints {
    return this.options.endpoints;
  }

  get accountSid(): string {
    return this.options.credentials.accountSid;
  }

  post(url: string, params: FormParams): Promise<Record<string, unknown>> {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined) body.append(key, value);
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  }

  get(url: string): Promise<Record<string, unknown>> {
    return this.request(url, { method: 'GET' });
  }

  private async request(url: string, init: RequestInit): Promise<Record<string, unknown>> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        ...init,
        signal,
        // A redirect would re-post the recipient and the code (and, same-origin, the credentials).
        redirect: NO_REDIRECT,
        headers: { ...(init.headers as Record<string, string>), authorization: this.authorization, accept: 'application/json' },
      });
      const redirect = redirectProblem(response, 'Twilio', 'TWILIO_BASE_URL');
      if (redirect !== undefined) {
        await discardBody(response);
        throw new TwilioError(redirect, response.status, undefined, 'bad-response');
      }
      text = await response.text();
    } catch (error) {
      if (error instanceof TwilioError) throw error;
      if (signal.aborted) {
        throw new TwilioError(`Twilio did not answer within ${this.options.timeoutMs} ms`, undefined, undefined, 'timeout');
      }
      const cause = error instanceof Error ? error.message : String(error);
      throw new TwilioError(`could not reach Twilio (${cause})`, undefined, undefined, 'network');
    }
    const body = parseJsonObject(text);
    if (response.ok && body !== undefined) return body;
    if (body === undefined) {
      throw new TwilioError(`Twilio answered HTTP ${response.status} with a body that is not JSON`, response.status, undefined, 'bad-response');
    }
    const code = typeof body['code'] === 'number' ? body['code'] : undefined;
    const twilioMessage = typeof body['message'] === 'string' ? body['message'] : 'no message';
    const explanation = explainTwilioCode(code) ?? 'Twilio refused the request';
    throw new TwilioError(
      `${explanation} (HTTP ${response.status}, code ${code ?? 'none'}: ${twilioMessage})`,
      response.status,
      code,
      'refused',
    );
  }
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
