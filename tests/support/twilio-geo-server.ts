/**
 * A local Twilio server for the account-wide country settings: Messaging Geo Permissions
 * (Accounts v1) and Voice Dialing Permissions (Voice v1). It shares the spec machinery of
 * twilio-server.ts: every request is validated against the reduced official OpenAPI descriptions
 * (tests/fixtures/twilio-oai) plus the rules those descriptions state only in prose, a bad
 * request is recorded and answered 400, and every answer is checked against the spec before it
 * is sent.
 *
 * The account it models starts in "factory settings", as Twilio documents them (support articles
 * "International SMS/Voice Geographic Permissions and How They Work"): SMS to the home country
 * only, voice to the home country's low-risk numbers only, every high-risk switch off. It also
 * models the documented refusal (error 30649): the high-risk countries whose SMS permission only
 * the Console may change, and the countries Twilio does not deliver SMS to at all.
 */
import http from 'node:http';
import { getCountries, getCountryCallingCode } from 'libphonenumber-js/max';
import {
  DEFAULT_ACCOUNT_SID,
  DEFAULT_AUTH_TOKEN,
  TwilioHttpServer,
  faultAnswer,
  isFormContentType,
  isObject,
  jsonAnswer,
  listenLoopback,
  matchRoute,
  parseForm,
  responseExamples,
  responseProblems,
  schemaViolations,
  single,
  specValidators,
  twilioError,
  unauthorizedAnswer,
  type Answer,
  type IncomingRequest,
  type Params,
  type RecordedTwilioRequest,
  type Schema,
  type SpecOperation,
  type TwilioFault,
  type Violation,
} from './twilio-server';

export type GeoOperation = 'smsFetch' | 'smsUpdate' | 'voiceList' | 'voiceFetch' | 'voiceBulkUpdate' | 'voicePrefixes';

export const GEO_OPERATIONS: Record<GeoOperation, SpecOperation> = {
  smsFetch: { specFile: 'twilio_accounts_v1.json', method: 'GET', pathTemplate: '/v1/Messaging/GeoPermissions', successStatus: 200 },
  smsUpdate: { specFile: 'twilio_accounts_v1.json', method: 'PATCH', pathTemplate: '/v1/Messaging/GeoPermissions', successStatus: 200 },
  voiceList: { specFile: 'twilio_voice_v1.json', method: 'GET', pathTemplate: '/v1/DialingPermissions/Countries', successStatus: 200 },
  voiceFetch: { specFile: 'twilio_voice_v1.json', method: 'GET', pathTemplate: '/v1/DialingPermissions/Countries/{IsoCode}', successStatus: 200 },
  voiceBulkUpdate: { specFile: 'twilio_voice_v1.json', method: 'POST', pathTemplate: '/v1/DialingPermissions/BulkCountryUpdates', successStatus: 201 },
  voicePrefixes: {
    specFile: 'twilio_voice_v1.json',
    method: 'GET',
    pathTemplate: '/v1/DialingPermissions/Countries/{IsoCode}/HighRiskSpecialPrefixes',
    successStatus: 200,
  },
};

export const geoValidators = specValidators(GEO_OPERATIONS);

/** The spec's examples of one operation's success answer. */
export function geoSpecExamples(operation: GeoOperation): Record<string, unknown> {
  return responseExamples(geoValidators(operation), GEO_OPERATIONS[operation]);
}

/** Spec problems of an answer body; `complete` also demands every documented field and no other. */
export function geoSpecProblems(operation: GeoOperation, body: unknown, options: { complete?: boolean } = {}): string[] {
  return responseProblems(geoValidators(operation), body, options);
}

/**
 * Error 30649 (twilio.com/docs/api/errors/30649): "Countries which are known for having high risk
 * of fraudulent activity can only be managed via Twilio Console", and the countries Twilio does
 * not deliver messaging to; API updates of either are ignored.
 */
export const SMS_CONSOLE_ONLY = ['BD', 'IL', 'NG', 'PK', 'PS', 'LK', 'AZ', 'TJ', 'OM', 'TN', 'DZ'] as const;
export const SMS_NOT_SUPPORTED = ['IR', 'SY', 'CU'] as const;
const CONSOLE_ONLY_MESSAGE = 'High risk country permission cannot be updated';
const NOT_SUPPORTED_MESSAGE = 'Non-supported country permission cannot be updated';

export interface VoiceSwitches {
  low: boolean; // low_risk_numbers_enabled
  special: boolean; // high_risk_special_numbers_enabled
  tollFraud: boolean; // high_risk_tollfraud_numbers_enabled
}

const ALL_OFF: VoiceSwitches = { low: false, special: false, tollFraud: false };

export interface GeoServerOptions {
  accountSid?: string;
  authToken?: string;
  /** Also accepted: an API key pair (Basic auth with the key SID and its secret). */
  apiKey?: { sid: string; secret: string };
  homeCountry?: string; // default US
  /** Applied over the factory settings: SMS enabled per country, voice switches per Twilio entry. */
  sms?: Record<string, boolean>;
  voice?: Record<string, Partial<VoiceSwitches>>;
  /** A bulk voice update becomes visible this long after it is accepted (default 0: at once). */
  voiceApplyDelayMs?: number;
  /** Pages hold at most this many items, whatever PageSize asks (a server may answer less). */
  pageSizeCap?: number;
  /** The origin written into page links (default: this server), to test a client that follows them. */
  linkOrigin?: string;
}

export interface TwilioGeoServer {
  readonly url: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly requests: RecordedTwilioRequest<GeoOperation>[];
  fault(f: TwilioFault<GeoOperation>): void;
  delay(ms: number, times?: number): void;
  /** The current settings, as Twilio would report them. */
  sms(country: string): boolean | undefined;
  voice(isoCode: string): VoiceSwitches | undefined;
  /** Every country (SMS) / every entry (voice) with its setting. */
  smsState(): Map<string, boolean>;
  voiceState(): Map<string, VoiceSwitches>;
  /** Turns every country on, both channels and every switch (an account opened up over the years). */
  openEverything(): void;
  /** Bulk voice updates silently leave this entry as it is (a partial failure). */
  lockVoice(isoCode: string): void;
  /** SMS updates of this country answer this per-country error instead of applying. */
  failSms(country: string, code: number, message: string): void;
  reset(): void; // requests, faults and delays only; the account's settings stay
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The countries the account knows
// ---------------------------------------------------------------------------------------------

interface CountryInfo {
  iso: string;
  name: string;
  prefix: string; // '+44'
  continent: string;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** By ITU world numbering zone: a coarse stand-in for Twilio's continent names (only NORTH_AMERICA is in the spec). */
const ZONE_CONTINENTS: Record<string, string> = {
  '1': 'NORTH_AMERICA', '2': 'AFRICA', '3': 'EUROPE', '4': 'EUROPE', '5': 'SOUTH_AMERICA',
  '6': 'OCEANIA', '7': 'EUROPE', '8': 'ASIA', '9': 'ASIA',
};

function countryInfo(iso: string): CountryInfo {
  const code = getCountryCallingCode(iso as Parameters<typeof getCountryCallingCode>[0]);
  return { iso, name: regionNames.of(iso) ?? iso, prefix: `+${code}`, continent: ZONE_CONTINENTS[code.charAt(0)] ?? 'OTHER' };
}

const SMS_COUNTRIES: readonly CountryInfo[] = getCountries().map(countryInfo);
/** Voice lists the United States and Canada as one entry, "United States/Canada" (spec example). */
const VOICE_COUNTRIES: readonly CountryInfo[] = SMS_COUNTRIES.filter((c) => c.iso !== 'CA').map((c) =>
  c.iso === 'US' ? { ...c, name: 'United States/Canada' } : c,
);

/** HighRiskSpecialPrefixes: the spec's example for Latvia; other entries list none. */
const SPECIAL_PREFIXES: Record<string, string[]> = { LV: ['+37181', '+3719000'] };

// ---------------------------------------------------------------------------------------------
// Request rules the spec states only in prose
// ---------------------------------------------------------------------------------------------

const INVALID_PARAMETER = 20001;

/** Each `Permissions` value: a JSON object {country_code, type: "country", enabled: boolean}. */
function smsPermissionItems(params: Params): { items: { country: string; enabled: boolean }[]; violations: Violation[] } {
  const raw = params.Permissions;
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const items: { country: string; enabled: boolean }[] = [];
  const violations: Violation[] = [];
  for (const [index, value] of values.entries()) {
    const where = `Permissions[${index}]`;
    let item: unknown;
    try {
      item = JSON.parse(value);
    } catch {
      violations.push({ text: `${where} is not JSON` });
      continue;
    }
    if (!isObject(item)) {
      violations.push({ text: `${where} must be a JSON object` });
      continue;
    }
    const unknown = Object.keys(item).filter((k) => !['country_code', 'type', 'enabled'].includes(k));
    if (unknown.length > 0) violations.push({ text: `${where} has unknown field ${unknown.join(', ')}` });
    if (item.type !== 'country') violations.push({ text: `${where}.type must be "country"` });
    if (typeof item.enabled !== 'boolean') violations.push({ text: `${where}.enabled must be true or false` });
    const country = item.country_code;
    if (typeof country !== 'string' || !SMS_COUNTRIES.some((c) => c.iso === country)) {
      violations.push({ text: `${where}.country_code ${JSON.stringify(country)} is not a country of this account` });
    } else if (items.some((i) => i.country === country)) {
      violations.push({ text: `${where}.country_code ${country} is given twice` });
    } else if (typeof item.enabled === 'boolean') {
      items.push({ country, enabled: item.enabled });
    }
  }
  return { items, violations };
}

const VOICE_FIELDS: Record<string, keyof VoiceSwitches> = {
  low_risk_numbers_enabled: 'low',
  high_risk_special_numbers_enabled: 'special',
  high_risk_tollfraud_numbers_enabled: 'tollFraud',
};

interface VoiceUpdate {
  iso: string;
  switches: VoiceSwitches;
}

/**
 * UpdateRequest: a JSON array of {iso_code, low_risk_numbers_enabled, high_risk_special_numbers_enabled,
 * high_risk_tollfraud_numbers_enabled}, the three as the strings "true" / "false" (the parameter's
 * description, the resource docs and Twilio's announcement all write them so). The spec's request
 * example uses other names (low_risk_numbers: "Enabled", high_risk_irsf_numbers); no other source
 * does, so this server refuses them.
 */
function voiceUpdates(params: Params): { updates: VoiceUpdate[]; violations: Violation[] } {
  const text = single(params, 'UpdateRequest') ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { updates: [], violations: [{ text: 'UpdateRequest is not JSON' }] };
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return { updates: [], violations: [{ text: 'UpdateRequest must be a non-empty JSON array' }] };
  const updates: VoiceUpdate[] = [];
  const violations: Violation[] = [];
  for (const [index, item] of parsed.entries()) {
    const where = `UpdateRequest[${index}]`;
    if (!isObject(item)) {
      violations.push({ text: `${where} must be a JSON object` });
      continue;
    }
    const unknown = Object.keys(item).filter((k) => k !== 'iso_code' && !(k in VOICE_FIELDS));
    if (unknown.length > 0) violations.push({ text: `${where} has unknown field ${unknown.join(', ')}` });
    const switches: VoiceSwitches = { ...ALL_OFF };
    let complete = true;
    for (const [field, key] of Object.entries(VOICE_FIELDS)) {
      const value = item[field];
      if (value === 'true' || value === 'false') switches[key] = value === 'true';
      else {
        complete = false;
        violations.push({ text: `${where}.${field} must be "true" or "false"` });
      }
    }
    const iso = item.iso_code;
    if (typeof iso !== 'string' || !VOICE_COUNTRIES.some((c) => c.iso === iso)) {
      violations.push({ text: `${where}.iso_code ${JSON.stringify(iso)} is not a dialing permissions country` });
    } else if (updates.some((u) => u.iso === iso)) {
      violations.push({ text: `${where}.iso_code ${iso} is given twice` });
    } else if (complete) {
      updates.push({ iso, switches });
    }
  }
  return { updates, violations };
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

/** The fields of one GET item, as the spec's example shows them (the schema leaves `permissions` untyped). */
const SMS_ITEM_FIELDS = ['country_code', 'type', 'enabled', 'prefix', 'message'];
/** The fields of one PATCH result, as the schema's description lists them. */
const SMS_RESULT_FIELDS = ['country_code', 'type', 'enabled', 'error_code', 'error_messages'];

function assertFields(items: unknown[], fields: string[], what: string): void {
  for (const item of items) {
    const keys = isObject(item) ? Object.keys(item).sort() : [];
    if (keys.join() !== [...fields].sort().join()) throw new Error(`${what} item has fields ${keys.join(', ')}, expected ${fields.join(', ')}`);
  }
}

interface PageRequest {
  size: number;
  offset: number;
}

function pageOf(query: Record<string, string>, cap: number): PageRequest {
  const size = Math.min(cap, query.PageSize === undefined ? 50 : Number(query.PageSize));
  const token = query.PageToken;
  const offset = token !== undefined && /^PT\d+$/.test(token) ? Number(token.slice(2)) : Number(query.Page ?? 0) * size;
  return { size, offset };
}

class LocalTwilioGeoServer extends TwilioHttpServer<GeoOperation> implements TwilioGeoServer {
  private smsSettings = new Map<string, boolean>();
  private voiceSettings = new Map<string, VoiceSwitches>();
  private lockedVoice = new Set<string>();
  private smsFailures = new Map<string, { code: number; message: string }>();
  private pendingTimers = new Set<NodeJS.Timeout>();

  constructor(
    server: http.Server,
    readonly accountSid: string,
    readonly authToken: string,
    private readonly options: GeoServerOptions,
  ) {
    super(server);
    const home = options.homeCountry ?? 'US';
    for (const c of SMS_COUNTRIES) this.smsSettings.set(c.iso, c.iso === home);
    const voiceHome = home === 'CA' ? 'US' : home;
    for (const c of VOICE_COUNTRIES) this.voiceSettings.set(c.iso, { ...ALL_OFF, low: c.iso === voiceHome });
    for (const [iso, on] of Object.entries(options.sms ?? {})) this.smsSettings.set(iso, on);
    for (const [iso, switches] of Object.entries(options.voice ?? {})) {
      this.voiceSettings.set(iso, { ...(this.voiceSettings.get(iso) ?? ALL_OFF), ...switches });
    }
  }

  sms(country: string): boolean | undefined {
    return this.smsSettings.get(country);
  }

  voice(isoCode: string): VoiceSwitches | undefined {
    const v = this.voiceSettings.get(isoCode);
    return v && { ...v };
  }

  smsState(): Map<string, boolean> {
    return new Map(this.smsSettings);
  }

  voiceState(): Map<string, VoiceSwitches> {
    return new Map([...this.voiceSettings].map(([iso, v]) => [iso, { ...v }]));
  }

  openEverything(): void {
    for (const iso of this.smsSettings.keys()) this.smsSettings.set(iso, true);
    for (const iso of this.voiceSettings.keys()) this.voiceSettings.set(iso, { low: true, special: true, tollFraud: true });
  }

  lockVoice(isoCode: string): void {
    this.lockedVoice.add(isoCode);
  }

  failSms(country: string, code: number, message: string): void {
    this.smsFailures.set(country, { code, message });
  }

  override close(): Promise<void> {
    for (const timer of this.pendingTimers) clearTimeout(timer);
    this.pendingTimers.clear();
    return super.close();
  }

  protected answer(req: IncomingRequest): Answer {
    const { method, path: pathname, query, contentType, auth } = req;
    const route = matchRoute(GEO_OPERATIONS, method, pathname);
    const params = method !== 'GET' && isFormContentType(contentType) ? parseForm(req.text) : {};
    const violations = route ? this.violations(route.operation, route.pathParams, query, params, method, contentType) : [];
    this.requests.push({
      method,
      path: pathname,
      query,
      operation: route?.operation ?? 'unknown',
      auth,
      params,
      headers: { ...req.headers },
      violations: violations.map((v) => v.text),
    });
    if (!route) return twilioError(404, 20404, `The requested resource ${pathname} was not found`);
    if (!this.authorized(auth)) return unauthorizedAnswer();
    if (violations.length > 0) return twilioError(400, INVALID_PARAMETER, violations.map((v) => v.text).join('; '));
    const fault = this.takeFault(route.operation);
    if (fault) return faultAnswer(fault);
    const iso = route.pathParams.IsoCode;
    if (iso !== undefined && !this.voiceSettings.has(iso)) {
      return twilioError(404, 20404, `The requested resource ${pathname} was not found`);
    }
    const body = this.successBody(route.operation, iso ?? '', query, params);
    const problems = geoSpecProblems(route.operation, body, { complete: true });
    if (problems.length > 0) throw new Error(`answer for ${route.operation} breaks the spec: ${problems.join('; ')}`);
    return jsonAnswer(GEO_OPERATIONS[route.operation].successStatus, body);
  }

  private authorized(auth: RecordedTwilioRequest['auth']): boolean {
    if (auth === null) return false;
    const key = this.options.apiKey;
    if (key !== undefined && auth.username === key.sid && auth.password === key.secret) return true;
    return auth.username === this.accountSid && auth.password === this.authToken;
  }

  private violations(
    operation: GeoOperation,
    pathParams: Record<string, string>,
    query: Record<string, string>,
    params: Params,
    method: string,
    contentType: string | undefined,
  ): Violation[] {
    const v = geoValidators(operation);
    const found = [...schemaViolations(v.path, pathParams, 'path '), ...schemaViolations(v.query, query, 'query ')];
    if (v.body) {
      if (!isFormContentType(contentType)) {
        found.push({ text: `Content-Type must be application/x-www-form-urlencoded, got ${contentType ?? 'none'}` });
      }
      found.push(...schemaViolations(v.body, params, ''));
    }
    if (pathParams.IsoCode !== undefined && !/^[A-Z]{2}$/.test(pathParams.IsoCode)) {
      found.push({ text: 'path parameter IsoCode must be an ISO 3166-1 alpha-2 code' });
    }
    if (query.PageToken !== undefined && !/^PT\d+$/.test(query.PageToken)) {
      found.push({ text: 'query parameter PageToken must be a token from a previous page' });
    }
    if (operation === 'smsUpdate' && method === 'PATCH') found.push(...smsPermissionItems(params).violations);
    if (operation === 'voiceBulkUpdate') found.push(...voiceUpdates(params).violations);
    return found;
  }

  private successBody(operation: GeoOperation, iso: string, query: Record<string, string>, params: Params): Schema {
    switch (operation) {
      case 'smsFetch':
        return this.smsFetch(query);
      case 'smsUpdate':
        return this.smsUpdate(params);
      case 'voiceList':
        return this.voiceList(query);
      case 'voiceFetch':
        return this.voiceEntry(VOICE_COUNTRIES.find((c) => c.iso === iso) ?? countryInfo(iso));
      case 'voiceBulkUpdate':
        return this.voiceBulkUpdate(params);
      case 'voicePrefixes':
        return this.page(`/v1/DialingPermissions/Countries/${iso}/HighRiskSpecialPrefixes`, query, {}, (SPECIAL_PREFIXES[iso] ?? []).map((prefix) => ({ prefix })));
    }
  }

  private smsFetch(query: Record<string, string>): Schema {
    const wanted = query.CountryCode === undefined ? undefined : new Set(query.CountryCode.split(',').map((c) => c.trim().toUpperCase()));
    const permissions = SMS_COUNTRIES.filter((c) => wanted === undefined || wanted.has(c.iso)).map((c) => ({
      country_code: c.iso,
      type: 'country',
      enabled: this.smsSettings.get(c.iso) ?? false,
      prefix: c.prefix,
      message: (SMS_CONSOLE_ONLY as readonly string[]).includes(c.iso) ? 'High Risk Country' : '',
    }));
    assertFields(permissions, SMS_ITEM_FIELDS, 'GeoPermissions');
    return { permissions };
  }

  private smsUpdate(params: Params): Schema {
    const permissions = smsPermissionItems(params).items.map(({ country, enabled }) => {
      const refusal = this.smsRefusal(country);
      if (refusal === undefined) this.smsSettings.set(country, enabled);
      return {
        country_code: country,
        type: 'country',
        enabled: this.smsSettings.get(country) ?? false,
        error_code: refusal?.code ?? 0,
        error_messages: refusal === undefined ? [] : [refusal.message],
      };
    });
    assertFields(permissions, SMS_RESULT_FIELDS, 'GeoPermissions update');
    return { permissions };
  }

  private smsRefusal(country: string): { code: number; message: string } | undefined {
    if ((SMS_CONSOLE_ONLY as readonly string[]).includes(country)) return { code: 30649, message: CONSOLE_ONLY_MESSAGE };
    if ((SMS_NOT_SUPPORTED as readonly string[]).includes(country)) return { code: 30649, message: NOT_SUPPORTED_MESSAGE };
    return this.smsFailures.get(country);
  }

  private voiceList(query: Record<string, string>): Schema {
    const flag = (name: string): boolean | undefined => (query[name] === undefined ? undefined : query[name] === 'true');
    const filters: [boolean | undefined, keyof VoiceSwitches][] = [
      [flag('LowRiskNumbersEnabled'), 'low'],
      [flag('HighRiskSpecialNumbersEnabled'), 'special'],
      [flag('HighRiskTollfraudNumbersEnabled'), 'tollFraud'],
    ];
    const matching = VOICE_COUNTRIES.filter((c) => {
      const switches = this.voiceSettings.get(c.iso) ?? ALL_OFF;
      if (query.IsoCode !== undefined && query.IsoCode !== c.iso) return false;
      if (query.Continent !== undefined && query.Continent !== c.continent) return false;
      if (query.CountryCode !== undefined && query.CountryCode.replace(/^\+?/, '+') !== c.prefix) return false;
      return filters.every(([wanted, key]) => wanted === undefined || switches[key] === wanted);
    });
    const kept = Object.fromEntries(
      ['IsoCode', 'Continent', 'CountryCode', 'LowRiskNumbersEnabled', 'HighRiskSpecialNumbersEnabled', 'HighRiskTollfraudNumbersEnabled']
        .filter((name) => query[name] !== undefined)
        .map((name) => [name, query[name] ?? '']),
    );
    const content = matching.map((c) => this.voiceEntry(c));
    for (const item of content) {
      const problems = geoSpecProblems('voiceFetch', item, { complete: true });
      if (problems.length > 0) throw new Error(`a Countries item breaks the spec: ${problems.join('; ')}`);
    }
    return this.page('/v1/DialingPermissions/Countries', query, kept, content);
  }

  private page(path: string, query: Record<string, string>, filters: Record<string, string>, all: unknown[]): Schema {
    const { size, offset } = pageOf(query, this.options.pageSizeCap ?? 1000);
    const page = Math.floor(offset / size);
    const link = (pageIndex: number, start: number) => {
      const search = new URLSearchParams({ ...filters, PageSize: String(size), Page: String(pageIndex) });
      if (start > 0) search.set('PageToken', `PT${start}`);
      return `${this.options.linkOrigin ?? this.url}${path}?${search.toString()}`;
    };
    const next = offset + size < all.length ? link(page + 1, offset + size) : null;
    const previous = offset > 0 ? link(page - 1, Math.max(0, offset - size)) : null;
    return {
      content: all.slice(offset, offset + size),
      meta: {
        first_page_url: link(0, 0),
        key: 'content',
        next_page_url: next,
        page,
        page_size: size,
        previous_page_url: previous,
        url: link(page, offset),
      },
    };
  }

  private voiceEntry(c: CountryInfo): Schema {
    const switches = this.voiceSettings.get(c.iso) ?? ALL_OFF;
    const url = `${this.url}/v1/DialingPermissions/Countries/${c.iso}`;
    return {
      iso_code: c.iso,
      name: c.name,
      continent: c.continent,
      country_codes: [c.prefix],
      low_risk_numbers_enabled: switches.low,
      high_risk_special_numbers_enabled: switches.special,
      high_risk_tollfraud_numbers_enabled: switches.tollFraud,
      url,
      links: { highrisk_special_prefixes: `${url}/HighRiskSpecialPrefixes` },
    };
  }

  private voiceBulkUpdate(params: Params): Schema {
    const applied = voiceUpdates(params).updates.filter((u) => !this.lockedVoice.has(u.iso));
    const apply = () => {
      for (const u of applied) this.voiceSettings.set(u.iso, u.switches);
    };
    const lag = this.options.voiceApplyDelayMs ?? 0;
    if (lag <= 0) apply();
    else {
      const timer = setTimeout(() => {
        this.pendingTimers.delete(timer);
        apply();
      }, lag);
      this.pendingTimers.add(timer);
    }
    return { update_count: applied.length, update_request: 'accepted' };
  }
}

export async function startTwilioGeoServer(options: GeoServerOptions = {}): Promise<TwilioGeoServer> {
  geoValidators('smsFetch'); // load and compile the specs now, so a missing spec fails here
  const server = await listenLoopback();
  return new LocalTwilioGeoServer(server, options.accountSid ?? DEFAULT_ACCOUNT_SID, options.authToken ?? DEFAULT_AUTH_TOKEN, options);
}
