/**
 * Where `npm run twilio-geo` finds its settings: the environment and, with --env-file, a
 * dotenv-style file (the environment wins over the file, as with dotenv). It checks, without any
 * network call, the Twilio credentials and every policy secret with the Actions' own parser, and
 * collects every problem so that one run lists them all, as `npm run deploy` does. SIDs are
 * described by their length and tokens are never shown.
 */
import { readFileSync } from 'node:fs';
import { parseBaseUrl } from '../../shared/config/parsers';
import { ConfigErrors, parseStaticPolicy } from '../../shared/config/static-policy';
import type { StaticPolicy } from '../../shared/engine/types';

export const TWILIO_ACCOUNTS_URL = 'https://accounts.twilio.com';
export const TWILIO_VOICE_URL = 'https://voice.twilio.com';

export interface GeoAuth {
  kind: 'auth-token' | 'api-key';
  username: string;
  password: string;
}

export interface GeoSettings {
  auth: GeoAuth;
  accountsUrl: string;
  voiceUrl: string;
  secrets: Record<string, string>;
  policy: StaticPolicy;
  /** Values that must never appear in this tool's output. */
  credentials: Array<{ name: string; value: string }>;
}

/** Credential variables: never printed. */
const CREDENTIAL_NAMES = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_API_KEY', 'TWILIO_API_SECRET'];

const SID_FORMS: Readonly<Record<string, RegExp>> = {
  TWILIO_ACCOUNT_SID: /^AC[0-9a-fA-F]{32}$/,
  TWILIO_API_KEY: /^SK[0-9a-fA-F]{32}$/,
};

/**
 * NAME=value lines; `export ` before the name, blank lines and # comments are allowed; a value in
 * single quotes is taken as it is, one in double quotes understands \n, \" and \\. A bad line is
 * reported by its number only: it may hold a credential.
 */
export function parseEnvFile(text: string, file: string): { values: Record<string, string>; problems: string[] } {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    const value = match?.[2] === undefined ? undefined : unquote(match[2]);
    if (match?.[1] === undefined || value === undefined) {
      problems.push(`${file} line ${index + 1} is not NAME=value (its content is not shown: it may hold a credential)`);
      continue;
    }
    values[match[1]] = value;
  }
  return { values, problems };
}

function unquote(raw: string): string | undefined {
  if (raw.startsWith("'")) return raw.length >= 2 && raw.endsWith("'") ? raw.slice(1, -1) : undefined;
  if (raw.startsWith('"')) {
    if (raw.length < 2 || !raw.endsWith('"')) return undefined;
    return raw.slice(1, -1).replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return raw.replace(/\s+#.*$/, '');
}

export function readEnvFile(file: string): { values: Record<string, string>; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { values: {}, problems: [`--env-file ${file} cannot be read (${code})`] };
  }
  return parseEnvFile(text, file);
}

function checkSid(name: string, value: string, problems: string[]): void {
  const form = SID_FORMS[name];
  if (form !== undefined && !form.test(value)) {
    problems.push(`${name} is invalid: expected ${form.source.slice(1, 3)} followed by 32 hex digits, got a value of ${value.length} characters`);
  }
}

function checkSecretValue(name: string, value: string, problems: string[]): void {
  if (!/^\S{16,128}$/.test(value)) problems.push(`${name} is invalid: expected 16 to 128 characters without spaces`);
}

function checkAuth(values: Record<string, string>, problems: string[]): GeoAuth {
  const get = (name: string) => (values[name] ?? '').trim();
  const keySid = get('TWILIO_API_KEY');
  const keySecret = get('TWILIO_API_SECRET');
  const accountSid = get('TWILIO_ACCOUNT_SID');
  const authToken = get('TWILIO_AUTH_TOKEN');
  if (accountSid !== '') checkSid('TWILIO_ACCOUNT_SID', accountSid, problems);
  if (keySid !== '' || keySecret !== '') {
    if (keySid === '' || keySecret === '') {
      problems.push(`${keySid === '' ? 'TWILIO_API_KEY' : 'TWILIO_API_SECRET'} is not set (an API key needs both TWILIO_API_KEY and TWILIO_API_SECRET)`);
    } else {
      checkSid('TWILIO_API_KEY', keySid, problems);
      checkSecretValue('TWILIO_API_SECRET', keySecret, problems);
    }
    return { kind: 'api-key', username: keySid, password: keySecret };
  }
  const missing = [accountSid === '' ? 'TWILIO_ACCOUNT_SID' : '', authToken === '' ? 'TWILIO_AUTH_TOKEN' : ''].filter(Boolean);
  if (missing.length > 0) {
    problems.push(
      `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set (the account the send Actions use; or an API key: TWILIO_API_KEY and TWILIO_API_SECRET)`,
    );
  } else {
    checkSecretValue('TWILIO_AUTH_TOKEN', authToken, problems);
  }
  return { kind: 'auth-token', username: accountSid, password: authToken };
}

/** The environment over the file's values; only non-empty values count as set. */
export function mergeSources(env: NodeJS.ProcessEnv, fileValues: Record<string, string>): Record<string, string> {
  const merged: Record<string, string> = { ...fileValues };
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value !== '') merged[name] = value;
  return merged;
}

export function checkGeoEnvironment(values: Record<string, string>): { settings: GeoSettings; problems: string[] } {
  const problems: string[] = [];
  const auth = checkAuth(values, problems);
  let base = '';
  try {
    base = parseBaseUrl('TWILIO_GEO_BASE_URL', values.TWILIO_GEO_BASE_URL, '');
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  // The Actions would log these and fall back to a default; here a wrong value stops the run, so
  // Twilio is never set from a policy the admin did not write.
  const errors = new ConfigErrors();
  const policy = parseStaticPolicy(values, errors);
  for (const error of errors.errors) problems.push(error.message);
  const credentials = CREDENTIAL_NAMES.map((name) => ({ name, value: (values[name] ?? '').trim() })).filter((c) => c.value.length >= 8);
  return {
    settings: {
      auth,
      accountsUrl: base === '' ? TWILIO_ACCOUNTS_URL : base,
      voiceUrl: base === '' ? TWILIO_VOICE_URL : base,
      secrets: values,
      policy,
      credentials,
    },
    problems,
  };
}
