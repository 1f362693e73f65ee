/**
 * A local Twilio HTTP server for tests, kept honest by Twilio's official OpenAPI descriptions
 * (github.com/twilio/twilio-oai, a reduced copy in tests/fixtures/twilio-oai, made by scripts/refresh-twilio-oai.ts).
 *
 * One server answers the four operations tollguard uses: create Message, create Call, create
 * Verification (Verify v2) and fetch PhoneNumber (Lookup v2). Every request body, path and query
 * is validated against the spec plus the rules the spec only states in prose; a bad request is
 * recorded with its violations and answered 400, so a client bug fails loudly. Every success body
 * is built to validate against the spec's response schema, and is checked before it is sent.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export type TwilioOperation = 'message' | 'call' | 'verification' | 'lookup';

export interface RecordedTwilioRequest<Op extends string = TwilioOperation> {
  method: string; // 'POST' | 'GET' | 'PATCH'
  path: string; // URL path without query
  query: Record<string, string>;
  operation: Op | 'unknown';
  auth: { username: string; password: string } | null; // decoded HTTP Basic
  params: Record<string, string | string[]>; // form-urlencoded body (repeated keys -> array)
  headers: Record<string, string | string[] | undefined>;
  violations: string[]; // spec violations found in this request (empty when valid)
}

export interface TwilioFault<Op extends string = TwilioOperation> {
  status: number; // HTTP status, e.g. 400
  code: number; // Twilio error code, e.g. 21408
  message: string;
  operation?: Op | 'unknown'; // only apply to this operation; default any
  headers?: Record<string, string>; // extra response headers, e.g. Retry-After on a 429
  times?: number; // how many requests it applies to (default 1)
  delayMs?: number; // wait this long before answering
  rawBody?: string; // answer this raw body instead of Twilio JSON (e.g. HTML from a proxy)
  contentType?: string; // Content-Type of rawBody (default 'text/html; charset=utf-8')
}

/** What Lookup answers for one number. Packages of an invalid number are null, as on Twilio. */
export interface LookupAnswer {
  lineType?: string | null; // line_type_intelligence.type, default 'mobile'
  smsPumpingRiskScore?: number | null; // sms_pumping_risk.sms_pumping_risk_score, default 5
  carrierRiskCategory?: string | null; // sms_pumping_risk.carrier_risk_category, default 'low'
  valid?: boolean; // default: true when the number parses
  countryCode?: string; // ISO 3166 alpha-2, default: from the number
  carrierName?: string | null; // line_type_intelligence.carrier_name
}

export interface TwilioTestServer {
  readonly url: string; // 'http://127.0.0.1:<port>' (serves api, verify and lookups paths)
  readonly accountSid: string;
  readonly authToken: string;
  readonly requests: RecordedTwilioRequest[];
  fault(f: TwilioFault): void; // queue a fault
  delay(ms: number, times?: number): void; // slow down the next N answers (success answers too)
  setLookup(e164: string, answer: LookupAnswer): void;
  reset(): void; // clear requests, faults, delays, lookups
  close(): Promise<void>;
}

export const DEFAULT_ACCOUNT_SID = 'AC' + '0'.repeat(31) + '1';
export const DEFAULT_AUTH_TOKEN = 'test-auth-token-not-real';

/** The Lookup v2 `Fields` values, as listed in the spec's description of that parameter. */
export const LOOKUP_FIELDS: readonly string[] = [
  'validation', 'caller_name', 'sim_swap', 'call_forwarding', 'line_status',
  'line_type_intelligence', 'identity_match', 'reassigned_number', 'sms_pumping_risk',
  'phone_number_quality_score', 'pre_fill',
];

/** The Verify `Channel` values, as listed in the spec's description (the schema is a plain string). */
export const VERIFY_CHANNELS: readonly string[] = ['email', 'sms', 'whatsapp', 'call', 'sna', 'auto'];

// ---------------------------------------------------------------------------------------------
// The operations and where the spec describes them
// ---------------------------------------------------------------------------------------------

/** Where the spec describes one operation; a server serves a table of these. */
export interface SpecOperation {
  specFile: string;
  method: 'GET' | 'POST' | 'PATCH';
  pathTemplate: string; // exactly as the key under `paths` in the spec
  successStatus: 200 | 201;
}

const OPERATIONS: Record<TwilioOperation, SpecOperation> = {
  message: {
    specFile: 'twilio_api_v2010.json',
    method: 'POST',
    pathTemplate: '/2010-04-01/Accounts/{AccountSid}/Messages.json',
    successStatus: 201,
  },
  call: {
    specFile: 'twilio_api_v2010.json',
    method: 'POST',
    pathTemplate: '/2010-04-01/Accounts/{AccountSid}/Calls.json',
    successStatus: 201,
  },
  verification: {
    specFile: 'twilio_verify_v2.json',
    method: 'POST',
    pathTemplate: '/v2/Services/{ServiceSid}/Verifications',
    successStatus: 201,
  },
  lookup: {
    specFile: 'twilio_lookups_v2.json',
    method: 'GET',
    pathTemplate: '/v2/PhoneNumbers/{PhoneNumber}',
    successStatus: 200,
  },
};


export function twilioSpecDir(): string {
  return process.env.TWILIO_OAI_DIR ?? path.resolve(__dirname, '../fixtures/twilio-oai');
}

// ---------------------------------------------------------------------------------------------
// Spec loading: OpenAPI 3.0 schemas -> JSON Schema that Ajv compiles
// ---------------------------------------------------------------------------------------------

export type Schema = Record<string, unknown>;

export function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Walks into a spec document, failing with the path that is missing. */
export function dig(doc: unknown, keys: string[]): unknown {
  let node = doc;
  for (const key of keys) {
    if (!isObject(node) || !(key in node)) throw new Error(`Twilio spec has no ${keys.join(' → ')}`);
    node = node[key];
  }
  return node;
}

function readSpec(file: string): Schema {
  const full = path.join(twilioSpecDir(), file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (err) {
    throw new Error(`cannot read Twilio OpenAPI description ${full} (set TWILIO_OAI_DIR): ${String(err)}`);
  }
  return JSON.parse(text) as Schema;
}

/**
 * Rewrites one OpenAPI 3.0 schema (recursively) into JSON Schema. Ajv understands `nullable`
 * next to `type`, but refuses it without one; OpenAPI then means "this, or null".
 */
function normalizeSchema(schema: unknown): unknown {
  if (!isObject(schema)) return schema;
  const out: Schema = { ...schema };
  const xTwilio = out['x-twilio'];
  if (isObject(xTwilio) && xTwilio.ignoreFormat === true) delete out.format;
  if (isObject(out.properties)) out.properties = mapValues(out.properties, normalizeSchema);
  if (out.items !== undefined) out.items = normalizeSchema(out.items);
  if (isObject(out.additionalProperties)) out.additionalProperties = normalizeSchema(out.additionalProperties);
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = out[key];
    if (Array.isArray(list)) out[key] = list.map(normalizeSchema);
  }
  if (out.nullable === undefined || out.type !== undefined) return out;
  const { nullable, ...rest } = out;
  const constrained = Object.keys(rest).some((k) => !k.startsWith('x-') && k !== 'description');
  return nullable === true && constrained ? { anyOf: [rest, { type: 'null' }] } : rest;
}

export function mapValues(obj: Schema, fn: (value: unknown) => unknown): Schema {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v)]));
}

/** Follows `#/components/schemas/<name>` (only local refs occur in these specs). */
function refTarget(schema: unknown, schemas: Schema): Schema | undefined {
  if (!isObject(schema) || typeof schema.$ref !== 'string') return isObject(schema) ? schema : undefined;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = schemas[name];
  return isObject(target) ? target : undefined;
}

function markNullable(schema: unknown): unknown {
  return isObject(schema) && Object.keys(schema).length > 0 ? { ...schema, nullable: true } : schema;
}

/**
 * Lookup v2's schemas say the package objects (line_type_intelligence, sms_pumping_risk, ...),
 * their fields, and validation_errors are never null, yet the same spec's examples, and Twilio's
 * docs, answer null for every package that was not requested, for empty fields such as
 * error_code, and (in older examples) for validation_errors. We side with the examples; a test
 * checks that every example in the spec validates.
 */
function applyLookupErrata(schemas: Schema): void {
  const response = schemas.LookupResponse;
  if (!isObject(response) || !isObject(response.properties)) return;
  const props = response.properties;
  props.validation_errors = markNullable(props.validation_errors);
  for (const [name, prop] of Object.entries(props)) {
    const target = objectRefTarget(prop, schemas);
    if (!target) continue;
    props[name] = markNullable(prop);
    makeFieldsNullable(target, schemas);
  }
}

function objectRefTarget(schema: unknown, schemas: Schema): Schema | undefined {
  const target = isObject(schema) && typeof schema.$ref === 'string' ? refTarget(schema, schemas) : undefined;
  return isObject(target?.properties) ? target : undefined; // LastSimSwapInfo has no `type`
}

/** Also inside nested objects, e.g. sim_swap.last_sim_swap.last_sim_swap_date. */
function makeFieldsNullable(target: Schema, schemas: Schema): void {
  if (!isObject(target.properties)) return;
  for (const prop of Object.values(target.properties)) {
    const nested = objectRefTarget(prop, schemas);
    if (nested && nested !== target) makeFieldsNullable(nested, schemas);
  }
  target.properties = mapValues(target.properties, markNullable);
}

/** Checked formats; every other format the specs use is accepted as is. */
const CHECKED_FORMATS: Record<string, (value: string) => boolean> = {
  'date-time-rfc-2822': (v) =>
    /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/.test(v) &&
    !Number.isNaN(Date.parse(v)),
  'date-time': (v) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)),
  uri: (v) => URL.canParse(v),
};

function collectFormats(node: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => collectFormats(n, into));
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'format' && typeof value === 'string') into.add(value);
      else collectFormats(value, into);
    }
  }
  return into;
}

// ---------------------------------------------------------------------------------------------
// Validators, compiled once and lazily
// ---------------------------------------------------------------------------------------------

export interface OperationValidators {
  response: ValidateFunction;
  completeResponse: ValidateFunction; // also: every documented field present, no others
  body: ValidateFunction | null; // null for GET
  path: ValidateFunction;
  query: ValidateFunction;
  rawOperation: Schema; // the spec's operation object, for prose and examples
}

/** Rewrites a spec file's raw component schemas before they are normalized (errata). */
export type SpecErrata = (file: string, schemas: Schema) => void;

/**
 * The validators of a table of operations, compiled once, on first use: a missing or broken spec
 * fails at that first call, with the file named.
 */
export function specValidators<Op extends string>(
  defs: Record<Op, SpecOperation>,
  errata?: SpecErrata,
): (operation: Op) => OperationValidators {
  let compiled: Record<Op, OperationValidators> | undefined;
  return (operation) => {
    compiled ??= compileAll(defs, errata);
    return compiled[operation];
  };
}

const validatorsFor = specValidators(OPERATIONS, (file, schemas) => {
  if (file === OPERATIONS.lookup.specFile) applyLookupErrata(schemas);
});

function specId(file: string): string {
  return `https://twilio-oai.local/${file}`;
}

function operationNames<Op extends string>(defs: Record<Op, SpecOperation>): Op[] {
  return Object.keys(defs) as Op[];
}

function compileAll<Op extends string>(defs: Record<Op, SpecOperation>, errata?: SpecErrata): Record<Op, OperationValidators> {
  const responseAjv = new Ajv({ strict: false, allErrors: true });
  // Form values are strings on the wire; coercion lets "300" satisfy an integer parameter.
  const requestAjv = new Ajv({ strict: false, allErrors: true, coerceTypes: 'array' });
  const rawOperations = new Map<Op, Schema>();
  const files = new Set(operationNames(defs).map((op) => defs[op].specFile));
  for (const file of files) {
    const { doc, operations } = buildSchemaDocument(file, defs, errata);
    for (const [op, raw] of operations) rawOperations.set(op, raw);
    for (const format of collectFormats(doc, new Set())) {
      const check = CHECKED_FORMATS[format] ?? true;
      for (const ajv of [responseAjv, requestAjv]) if (!ajv.formats[format]) ajv.addFormat(format, check);
    }
    responseAjv.addSchema(doc);
    requestAjv.addSchema(doc);
  }
  const compileRef = (ajv: Ajv, op: Op, part: string): ValidateFunction =>
    ajv.compile({ $ref: `${specId(defs[op].specFile)}#/operations/${op}/${part}` });
  const entries = operationNames(defs).map((op): [Op, OperationValidators] => [
    op,
    {
      response: compileRef(responseAjv, op, 'response'),
      completeResponse: compileRef(responseAjv, op, 'completeResponse'),
      body: defs[op].method === 'GET' ? null : compileRef(requestAjv, op, 'body'),
      path: compileRef(requestAjv, op, 'path'),
      query: compileRef(requestAjv, op, 'query'),
      rawOperation: rawOperations.get(op) ?? {},
    },
  ]);
  return Object.fromEntries(entries) as Record<Op, OperationValidators>;
}

/**
 * One JSON Schema document per spec file: its normalized `components.schemas` (so the spec's own
 * `#/components/schemas/...` refs resolve) plus, under `operations`, the schemas we validate with.
 */
function buildSchemaDocument<Op extends string>(
  file: string,
  defs: Record<Op, SpecOperation>,
  errata: SpecErrata | undefined,
): { doc: Schema; operations: Map<Op, Schema> } {
  const spec = readSpec(file);
  const rawSchemas = dig(spec, ['components', 'schemas']) as Schema;
  errata?.(file, rawSchemas);
  const schemas = mapValues(rawSchemas, normalizeSchema);
  const sections: Schema = {};
  const operations = new Map<Op, Schema>();
  for (const op of operationNames(defs).filter((o) => defs[o].specFile === file)) {
    const def = defs[op];
    const pathItem = dig(spec, ['paths', def.pathTemplate]) as Schema;
    const operation = dig(pathItem, [def.method.toLowerCase()]) as Schema;
    operations.set(op, operation);
    sections[op] = operationSchemas(def, pathItem, operation, schemas);
  }
  return { doc: { $id: specId(file), components: { schemas }, operations: sections }, operations };
}

function operationSchemas(def: SpecOperation, pathItem: Schema, operation: Schema, schemas: Schema): Schema {
  const response = normalizeSchema(
    dig(operation, ['responses', String(def.successStatus), 'content', 'application/json', 'schema']),
  );
  const parameters = [pathItem.parameters, operation.parameters].flatMap((p) => (Array.isArray(p) ? p : []));
  const sections: Schema = {
    response,
    completeResponse: completeVariant(response, schemas),
    path: parameterSchema(parameters, 'path'),
    query: parameterSchema(parameters, 'query'),
  };
  if (def.method !== 'GET') {
    const body = dig(operation, ['requestBody', 'content', 'application/x-www-form-urlencoded', 'schema']);
    sections.body = { additionalProperties: false, ...(normalizeSchema(body) as Schema) };
  }
  return sections;
}

/** The response schema, plus: every property it documents is present and nothing else is. */
function completeVariant(response: unknown, schemas: Schema): Schema {
  const target = refTarget(response, schemas);
  const keys = isObject(target?.properties) ? Object.keys(target.properties) : [];
  return {
    allOf: [response],
    required: keys,
    properties: Object.fromEntries(keys.map((k) => [k, true])),
    additionalProperties: false,
  };
}

function parameterSchema(parameters: unknown[], location: 'path' | 'query'): Schema {
  const properties: Schema = {};
  const required: string[] = [];
  for (const p of parameters) {
    if (!isObject(p) || p.in !== location || typeof p.name !== 'string') continue;
    properties[p.name] = normalizeSchema(p.schema ?? {});
    if (p.required === true) required.push(p.name);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/** The spec's examples of the success answer of one operation (used by the tests). */
export function specExamples(operation: TwilioOperation): Record<string, unknown> {
  return responseExamples(validatorsFor(operation), OPERATIONS[operation]);
}

/** The examples a spec gives for an operation's success answer, by name. */
export function responseExamples(validators: OperationValidators, def: SpecOperation): Record<string, unknown> {
  const status = String(def.successStatus);
  const examples = dig(validators.rawOperation, ['responses', status, 'content', 'application/json', 'examples']);
  return mapValues(examples as Schema, (e) => (isObject(e) ? e.value : undefined));
}

/** The spec's prose description of one parameter (used by the tests to pin the prose rules). */
export function specParameterDescription(operation: TwilioOperation, name: string): string {
  const { rawOperation } = validatorsFor(operation);
  const params = Array.isArray(rawOperation.parameters) ? rawOperation.parameters : [];
  const param = params.find((p: unknown) => isObject(p) && p.name === name);
  if (isObject(param)) return String(param.description ?? '');
  const bodyProps = dig(rawOperation, ['requestBody', 'content', 'application/x-www-form-urlencoded', 'schema', 'properties']);
  return String(dig(bodyProps, [name, 'description']));
}

/**
 * Validates a response body against the spec's success-response schema for the operation.
 * Returns readable errors, empty when valid. With `complete`, also requires every documented
 * field and refuses undocumented ones (what the test server holds its own answers to).
 */
export function validateAgainstSpec(
  operation: TwilioOperation,
  body: unknown,
  options: { complete?: boolean } = {},
): string[] {
  return responseProblems(validatorsFor(operation), body, options);
}

/** validateAgainstSpec for any operation's validators. */
export function responseProblems(v: OperationValidators, body: unknown, options: { complete?: boolean } = {}): string[] {
  const validate = options.complete ? v.completeResponse : v.response;
  return validate(body) ? [] : meaningfulErrors(validate.errors).map(describeResponseError);
}

/**
 * A nullable `$ref` becomes `anyOf: [ref, null]`; when the value fails the ref, Ajv also reports
 * "must be null" and "must match a schema in anyOf", which only repeat the real error.
 */
function meaningfulErrors(errors: ErrorObject[] | null | undefined): ErrorObject[] {
  const all = errors ?? [];
  const real = all.filter((e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && e.params.type === 'null'));
  return real.length > 0 ? real : all;
}

function describeResponseError(e: ErrorObject): string {
  const where = e.instancePath || '(body)';
  if (e.keyword === 'additionalProperties') return `${where} has undocumented field ${String(e.params.additionalProperty)}`;
  if (e.keyword === 'enum') return `${where} must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
  return `${where} ${e.message ?? e.keyword}`;
}

// ---------------------------------------------------------------------------------------------
// Request validation: the schema, then the rules the spec leaves to prose
// ---------------------------------------------------------------------------------------------

export type Params = Record<string, string | string[]>;

export interface Violation {
  text: string;
  code?: number; // Twilio error code this violation is answered with, when one fits
}

interface IncomingCall {
  operation: TwilioOperation;
  pathParams: Record<string, string>;
  query: Record<string, string>;
  params: Params;
  contentType: string | undefined;
}

/** Codes Twilio uses for a missing required parameter; others fall back to FALLBACK_CODES. */
const MISSING_PARAM_CODES: Partial<Record<TwilioOperation, Record<string, number>>> = {
  message: { To: 21604 },
  call: { To: 21201, From: 21213 },
};
const FALLBACK_CODES: Record<TwilioOperation, number> = {
  message: 20001, // "Unknown parameter" / invalid parameter
  call: 20001,
  verification: 60200, // Verify's "Invalid parameter"
  lookup: 20001,
};

function requestViolations(call: IncomingCall): Violation[] {
  const v = validatorsFor(call.operation);
  const missingCodes = MISSING_PARAM_CODES[call.operation];
  const found = [
    ...schemaViolations(v.path, call.pathParams, 'path ', missingCodes),
    ...schemaViolations(v.query, call.query, 'query ', missingCodes),
  ];
  if (v.body) {
    if (!isFormContentType(call.contentType)) {
      found.push({ text: `Content-Type must be application/x-www-form-urlencoded, got ${call.contentType ?? 'none'}` });
    }
    found.push(...schemaViolations(v.body, call.params, '', missingCodes));
  }
  found.push(...PROSE_RULES[call.operation](call));
  return found;
}

export function isFormContentType(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** Request data against one of the compiled request schemas; `missingCodes`: Twilio's code per missing parameter. */
export function schemaViolations(
  validate: ValidateFunction,
  data: Record<string, unknown>,
  where: string,
  missingCodes?: Record<string, number>,
): Violation[] {
  const copy = structuredClone(data); // type coercion rewrites its input
  if (validate(copy)) return [];
  return meaningfulErrors(validate.errors).map((e) => describeRequestError(e, data, where, missingCodes));
}

function describeRequestError(
  e: ErrorObject,
  data: Record<string, unknown>,
  where: string,
  missingCodes: Record<string, number> | undefined,
): Violation {
  const name = (e.instancePath.split('/')[1] ?? '').replace(/~1/g, '/').replace(/~0/g, '~');
  switch (e.keyword) {
    case 'required': {
      const missing = String(e.params.missingProperty);
      return { text: `missing required ${where}parameter ${missing}`, code: missingCodes?.[missing] };
    }
    case 'additionalProperties':
      return { text: `unknown ${where}parameter ${String(e.params.additionalProperty)}` };
    case 'enum':
      return { text: `${where}parameter ${name} must be one of ${(e.params.allowedValues as unknown[]).join(', ')}` };
    case 'type':
      if (Array.isArray(data[name])) return { text: `${where}parameter ${name} given more than once` };
      return { text: `${where}parameter ${name} ${e.message ?? 'has the wrong type'}` };
    default:
      return { text: `${where}parameter ${name} ${e.message ?? e.keyword}` };
  }
}

export function has(params: Params, name: string): boolean {
  const value = params[name];
  return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== '';
}

export function single(params: Params, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

function charCount(text: string): number {
  return [...text].length;
}

function maxLength(params: Params, name: string, max: number, code?: number): Violation[] {
  const value = single(params, name);
  if (value === undefined || charCount(value) <= max) return [];
  return [{ text: `parameter ${name} is ${charCount(value)} characters, at most ${max} allowed`, code }];
}

const PROSE_RULES: Record<TwilioOperation, (call: IncomingCall) => Violation[]> = {
  message: ({ params }) => [
    ...(has(params, 'From') || has(params, 'MessagingServiceSid')
      ? []
      : [{ text: 'a message needs From or MessagingServiceSid', code: 21603 }]),
    ...(has(params, 'Body') || has(params, 'MediaUrl') || has(params, 'ContentSid')
      ? []
      : [{ text: 'a message needs Body, MediaUrl or ContentSid', code: 21602 }]),
    ...maxLength(params, 'Body', 1600, 21617),
  ],
  call: ({ params }) => [
    ...(has(params, 'Url') || has(params, 'Twiml') || has(params, 'ApplicationSid')
      ? []
      : [{ text: 'a call needs Url, Twiml or ApplicationSid' }]),
    ...maxLength(params, 'Twiml', 4000),
  ],
  verification: ({ params }) => {
    const found: Violation[] = [];
    const channel = single(params, 'Channel');
    if (channel !== undefined && !VERIFY_CHANNELS.includes(channel)) {
      found.push({ text: `parameter Channel must be one of ${VERIFY_CHANNELS.join(', ')}` });
    }
    const code = single(params, 'CustomCode');
    if (code !== undefined && (charCount(code) < 4 || charCount(code) > 10)) {
      found.push({ text: 'parameter CustomCode must be 4 to 10 characters' });
    }
    return found;
  },
  lookup: ({ query }) =>
    (query.Fields ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f !== '' && !LOOKUP_FIELDS.includes(f))
      .map((f) => ({ text: `query parameter Fields has unknown value ${f}; allowed: ${LOOKUP_FIELDS.join(', ')}` })),
};

// ---------------------------------------------------------------------------------------------
// Success bodies
// ---------------------------------------------------------------------------------------------

export function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/** RFC 2822, as the 2010 API writes dates: "Thu, 24 Aug 2023 05:01:45 +0000". */
function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** ISO 8601 without milliseconds, as Verify writes dates: "2015-07-30T20:00:00Z". */
function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENDED = '\f^{}\\[~]|€'; // each costs two septets

/** SMS segments: GSM-7 fits 160 per message (153 when split), anything else UCS-2, 70 (67). */
function segmentCount(body: string): number {
  const chars = [...body];
  if (chars.length === 0) return 0;
  const gsm = chars.every((c) => GSM7_BASIC.includes(c) || GSM7_EXTENDED.includes(c));
  const units = gsm ? chars.reduce((n, c) => n + (GSM7_EXTENDED.includes(c) ? 2 : 1), 0) : body.length;
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  return units <= single ? 1 : Math.ceil(units / multi);
}

function messageBody(accountSid: string, params: Params, now: Date): Schema {
  const messageSid = sid('SM');
  const base = `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}`;
  const media = params.MediaUrl;
  const body = single(params, 'Body') ?? '';
  return {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body,
    date_created: rfc2822(now),
    date_sent: null,
    date_updated: rfc2822(now),
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: single(params, 'From') ?? null, // a Messaging Service picks the sender later
    messaging_service_sid: single(params, 'MessagingServiceSid') ?? null,
    num_media: String(Array.isArray(media) ? media.length : media ? 1 : 0),
    num_segments: String(segmentCount(body)),
    price: null,
    price_unit: 'USD',
    sid: messageSid,
    status: single(params, 'ScheduleType') === 'fixed' ? 'scheduled' : 'queued',
    subresource_uris: { media: `${base}/Media.json` },
    to: single(params, 'To') ?? null,
    uri: `${base}.json`,
  };
}

const CALL_SUBRESOURCES: Record<string, string> = {
  notifications: 'Notifications', recordings: 'Recordings', payments: 'Payments', events: 'Events',
  siprec: 'Siprec', streams: 'Streams', transcriptions: 'Transcriptions',
  user_defined_message_subscriptions: 'UserDefinedMessageSubscriptions', user_defined_messages: 'UserDefinedMessages',
};

function callBody(accountSid: string, params: Params, now: Date): Schema {
  const callSid = sid('CA');
  const base = `/2010-04-01/Accounts/${accountSid}/Calls/${callSid}`;
  const to = single(params, 'To') ?? null;
  const from = single(params, 'From') ?? null;
  return {
    sid: callSid,
    date_created: rfc2822(now),
    date_updated: rfc2822(now),
    parent_call_sid: null,
    account_sid: accountSid,
    to,
    to_formatted: to,
    from,
    from_formatted: from,
    phone_number_sid: null,
    status: 'queued',
    start_time: null,
    end_time: null,
    duration: null,
    price: null,
    price_unit: 'USD',
    direction: 'outbound-api',
    answered_by: null,
    api_version: '2010-04-01',
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: '0',
    trunk_sid: null,
    uri: `${base}.json`,
    subresource_uris: mapValues(CALL_SUBRESOURCES, (name) => `${base}/${String(name)}.json`),
  };
}

function verificationBody(accountSid: string, serviceSid: string, params: Params, now: Date): Schema {
  const verificationSid = sid('VE');
  const requested = single(params, 'Channel') ?? 'sms';
  // Twilio answers with the channel it chose for `auto`; without an SNA-capable device, SMS.
  const channel = requested === 'auto' ? 'sms' : requested;
  return {
    sid: verificationSid,
    service_sid: serviceSid,
    account_sid: accountSid,
    to: single(params, 'To') ?? null,
    channel,
    status: 'pending',
    valid: false,
    lookup: {},
    amount: null,
    payee: null,
    send_code_attempts: [{ time: iso(now), channel: channel === 'sms' ? 'SMS' : channel, attempt_sid: sid('VL') }],
    date_created: iso(now),
    date_updated: iso(now),
    sna: null,
    url: `https://verify.twilio.com/v2/Services/${serviceSid}/Verifications/${verificationSid}`,
  };
}

function orDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

function parseLookupNumber(raw: string, countryCode: string | undefined) {
  // National-format input is read in CountryCode's country; the spec's default is +1.
  const country = (countryCode ?? 'US').toUpperCase() as CountryCode;
  return raw.startsWith('+') ? parsePhoneNumberFromString(raw) : parsePhoneNumberFromString(raw, country);
}

/** Other packages (caller_name, sim_swap, ...) are not emulated and always answer null. */
function lookupBody(raw: string, query: Record<string, string>, lookups: Map<string, LookupAnswer>): Schema {
  const parsed = parseLookupNumber(raw, query.CountryCode);
  const number = parsed?.number ?? raw;
  const answer = lookups.get(number) ?? lookups.get(raw) ?? {};
  const valid = answer.valid ?? parsed !== undefined;
  const fields = new Set((query.Fields ?? '').split(',').map((f) => f.trim()));
  const known = valid ? parsed : undefined; // Twilio answers nulls for an invalid number
  return {
    calling_country_code: known?.countryCallingCode ?? null,
    // libphonenumber leaves `country` empty for numbers it thinks unassigned (e.g. UK drama range)
    country_code: answer.countryCode ?? known?.country ?? known?.getPossibleCountries()[0] ?? null,
    phone_number: number,
    national_format: known?.formatNational() ?? null,
    valid,
    validation_errors: valid ? [] : [parsed ? 'INVALID_BUT_POSSIBLE' : 'NOT_A_NUMBER'],
    caller_name: null,
    sim_swap: null,
    call_forwarding: null,
    line_type_intelligence: valid && fields.has('line_type_intelligence') ? lineTypeIntelligence(answer) : null,
    line_status: null,
    identity_match: null,
    reassigned_number: null,
    sms_pumping_risk: valid && fields.has('sms_pumping_risk') ? smsPumpingRisk(answer) : null,
    phone_number_quality_score: null,
    pre_fill: null,
    url: `https://lookups.twilio.com/v2/PhoneNumbers/${number}`,
  };
}

function lineTypeIntelligence(answer: LookupAnswer): Schema {
  return {
    mobile_country_code: '001', // MCC 001 is the ITU test network: obviously not a real carrier
    mobile_network_code: '01',
    carrier_name: orDefault(answer.carrierName, 'Tollguard Test Carrier'),
    type: orDefault(answer.lineType, 'mobile'),
    error_code: null,
  };
}

function smsPumpingRisk(answer: LookupAnswer): Schema {
  return {
    carrier_risk_category: orDefault(answer.carrierRiskCategory, 'low'),
    number_blocked: false,
    number_blocked_date: null,
    number_blocked_last_3_months: false,
    sms_pumping_risk_score: orDefault(answer.smsPumpingRiskScore, 5),
    error_code: null,
  };
}

// ---------------------------------------------------------------------------------------------
// The HTTP server
// ---------------------------------------------------------------------------------------------

export interface Answer {
  status: number;
  body: string;
  contentType: string;
  delayMs: number;
  headers?: Record<string, string>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Twilio's error body: {code, message, more_info, status}. */
export function twilioError(status: number, code: number, message: string, delayMs = 0): Answer {
  const body = { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
  return { status, body: JSON.stringify(body), contentType: JSON_TYPE, delayMs };
}

export function jsonAnswer(status: number, body: unknown): Answer {
  return { status, body: JSON.stringify(body), contentType: JSON_TYPE, delayMs: 0 };
}

export function unauthorizedAnswer(): Answer {
  return { ...twilioError(401, 20003, 'Authenticate'), headers: { 'WWW-Authenticate': 'Basic realm="Twilio API"' } };
}

function matchTemplate(template: string, pathname: string): Record<string, string> | null {
  const expected = template.split('/');
  const actual = pathname.split('/');
  if (expected.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (const [i, segment] of expected.entries()) {
    const value = actual[i] ?? '';
    const name = /^\{(\w+)\}$/.exec(segment)?.[1];
    if (name === undefined && segment !== value) return null;
    if (name !== undefined) {
      if (value === '') return null;
      params[name] = safeDecode(value);
    }
  }
  return params;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The operation of a table whose method and path template match the request. */
export function matchRoute<Op extends string>(
  defs: Record<Op, SpecOperation>,
  method: string,
  pathname: string,
): { operation: Op; pathParams: Record<string, string> } | null {
  for (const operation of operationNames(defs)) {
    const def = defs[operation];
    const pathParams = def.method === method ? matchTemplate(def.pathTemplate, pathname) : null;
    if (pathParams) return { operation, pathParams };
  }
  return null;
}

export function parseForm(text: string): Params {
  const params: Params = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const previous = params[key];
    if (previous === undefined) params[key] = value;
    else params[key] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return params;
}

export function parseBasicAuth(header: string | undefined): RecordedTwilioRequest['auth'] {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A request as the servers see it: read whole, before any routing. */
export interface IncomingRequest {
  method: string;
  path: string; // URL path without query
  query: Record<string, string>;
  contentType: string | undefined;
  text: string; // the body
  auth: RecordedTwilioRequest['auth'];
  headers: http.IncomingHttpHeaders;
}

async function readRequest(req: http.IncomingMessage): Promise<IncomingRequest> {
  const text = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    contentType: req.headers['content-type'],
    text,
    auth: parseBasicAuth(req.headers.authorization),
    headers: req.headers,
  };
}

interface QueuedFault<Op extends string> {
  fault: TwilioFault<Op>;
  remaining: number;
}

interface PendingTimer {
  handle: NodeJS.Timeout;
  resolve: () => void;
}

/**
 * What every local Twilio server shares: the listening socket, queued faults and delays, held
 * answers that close() cuts short. A subclass decides the answer to each request.
 */
export abstract class TwilioHttpServer<Op extends string> {
  readonly requests: RecordedTwilioRequest<Op>[] = [];
  private faults: QueuedFault<Op>[] = [];
  private delays: { ms: number; remaining: number }[] = [];
  private timers = new Set<PendingTimer>();
  private closing: Promise<void> | undefined;

  constructor(protected readonly server: http.Server) {
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res));
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  fault(f: TwilioFault<Op>): void {
    this.faults.push({ fault: f, remaining: f.times ?? 1 });
  }

  delay(ms: number, times = 1): void {
    this.delays.push({ ms, remaining: times });
  }

  reset(): void {
    this.requests.length = 0;
    this.faults = [];
    this.delays = [];
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const timer of this.timers) {
        clearTimeout(timer.handle);
        timer.resolve();
      }
      this.timers.clear();
      this.server.close(() => resolve());
      this.server.closeAllConnections(); // keep-alive and held (delayed) responses
    });
    return this.closing;
  }

  /** Records the request and decides its answer (faults come from takeFault). */
  protected abstract answer(req: IncomingRequest): Answer;

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let answer: Answer;
    try {
      answer = this.answer(await readRequest(req));
    } catch (err) {
      answer = twilioError(500, 20500, `tollguard Twilio test server failed: ${String(err)}`);
    }
    await this.sleep(this.takeDelay() + answer.delayMs);
    if (res.destroyed || this.closing) return;
    res.writeHead(answer.status, {
      'Content-Type': answer.contentType,
      'Content-Length': Buffer.byteLength(answer.body),
      'Twilio-Request-Id': sid('RQ'),
      ...answer.headers,
    });
    res.end(answer.body);
  }

  protected takeFault(operation: Op): TwilioFault<Op> | undefined {
    const queued = this.faults.find((q) => q.fault.operation === undefined || q.fault.operation === operation);
    if (!queued) return undefined;
    queued.remaining -= 1;
    if (queued.remaining <= 0) this.faults = this.faults.filter((q) => q !== queued);
    return queued.fault;
  }

  private takeDelay(): number {
    const head = this.delays[0];
    if (!head) return 0;
    head.remaining -= 1;
    if (head.remaining <= 0) this.delays.shift();
    return head.ms;
  }

  /** A timer that close() can cut short, so a held response never keeps the process alive. */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer: PendingTimer = {
        handle: setTimeout(() => {
          this.timers.delete(timer);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(timer);
    });
  }
}

class LocalTwilioServer extends TwilioHttpServer<TwilioOperation> implements TwilioTestServer {
  private lookups = new Map<string, LookupAnswer>();

  constructor(
    server: http.Server,
    readonly accountSid: string,
    readonly authToken: string,
  ) {
    super(server);
  }

  setLookup(e164: string, answer: LookupAnswer): void {
    this.lookups.set(e164, answer);
  }

  override reset(): void {
    super.reset();
    this.lookups.clear();
  }

  /** Records the request, then decides: 404, 401, 400 (violations), a queued fault, or success. */
  protected answer(req: IncomingRequest): Answer {
    const { method, path: pathname, query, contentType, text, auth } = req;
    const route = matchRoute(OPERATIONS, method, pathname);
    const call: IncomingCall | null = route && {
      ...route,
      query,
      params: method === 'POST' ? parseForm(text) : {},
      contentType,
    };
    const violations = call ? requestViolations(call) : [];
    this.requests.push({
      method,
      path: pathname,
      query,
      operation: call?.operation ?? 'unknown',
      auth,
      params: call?.params ?? (isFormContentType(contentType) ? parseForm(text) : {}),
      headers: { ...req.headers },
      violations: violations.map((v) => v.text),
    });

    if (!call) return twilioError(404, 20404, `The requested resource ${pathname} was not found`);
    if (!this.authorized(auth, call)) return unauthorizedAnswer();
    if (violations.length > 0) {
      const code = violations.find((v) => v.code !== undefined)?.code ?? FALLBACK_CODES[call.operation];
      return twilioError(400, code, violations.map((v) => v.text).join('; '));
    }
    const fault = this.takeFault(call.operation);
    if (fault) return faultAnswer(fault);
    return this.success(call);
  }

  private authorized(auth: RecordedTwilioRequest['auth'], call: IncomingCall): boolean {
    if (auth?.username !== this.accountSid || auth.password !== this.authToken) return false;
    const pathAccount = call.pathParams.AccountSid;
    return pathAccount === undefined || pathAccount === auth.username;
  }

  private success(call: IncomingCall): Answer {
    const now = new Date();
    const body = this.successBody(call, now);
    // Our own answers must be complete and spec-valid; a mismatch is a bug here, so fail loudly.
    const problems = validateAgainstSpec(call.operation, body, { complete: true });
    if (problems.length > 0) throw new Error(`answer for ${call.operation} breaks the spec: ${problems.join('; ')}`);
    return jsonAnswer(OPERATIONS[call.operation].successStatus, body);
  }

  private successBody(call: IncomingCall, now: Date): Schema {
    switch (call.operation) {
      case 'message':
        return messageBody(this.accountSid, call.params, now);
      case 'call':
        return callBody(this.accountSid, call.params, now);
      case 'verification':
        return verificationBody(this.accountSid, call.pathParams.ServiceSid ?? '', call.params, now);
      case 'lookup':
        return lookupBody(call.pathParams.PhoneNumber ?? '', call.query, this.lookups);
    }
  }
}

/** A queued fault as an answer: Twilio's error body, or the raw body it names. */
export function faultAnswer<Op extends string>(fault: TwilioFault<Op>): Answer {
  const delayMs = fault.delayMs ?? 0;
  const headers = fault.headers;
  if (fault.rawBody === undefined) return { ...twilioError(fault.status, fault.code, fault.message, delayMs), headers };
  return {
    status: fault.status,
    body: fault.rawBody,
    contentType: fault.contentType ?? 'text/html; charset=utf-8',
    delayMs,
    headers,
  };
}

/** Listens on a free loopback port. */
export async function listenLoopback(): Promise<http.Server> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

export async function startTwilioServer(opts: { accountSid?: string; authToken?: string } = {}): Promise<TwilioTestServer> {
  validatorsFor('message'); // load and compile the specs now, so a missing spec fails here
  const server = await listenLoopback();
  return new LocalTwilioServer(server, opts.accountSid ?? DEFAULT_ACCOUNT_SID, opts.authToken ?? DEFAULT_AUTH_TOKEN);
}
