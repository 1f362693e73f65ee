/**
 * Refreshes the reduced copy of Twilio's OpenAPI descriptions that the local Twilio test servers
 * validate against (tests/fixtures/twilio-oai). It keeps, from each description, the paths tollguard
 * calls and every component schema they reference, so the repository carries a few hundred kB
 * instead of megabytes, and a clone needs nothing beside it.
 *
 *   npm run refresh-twilio-oai -- <dir with twilio_*.json> [--commit <sha>]
 *
 * The source directory is `spec/json` of a checkout of twilio/twilio-oai (MIT licence).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The paths used, per description file. */
export const TWILIO_OAI_PATHS: Readonly<Record<string, readonly string[]>> = {
  'twilio_api_v2010.json': ['/2010-04-01/Accounts/{AccountSid}/Messages.json', '/2010-04-01/Accounts/{AccountSid}/Calls.json'],
  'twilio_verify_v2.json': ['/v2/Services/{ServiceSid}/Verifications'],
  'twilio_lookups_v2.json': ['/v2/PhoneNumbers/{PhoneNumber}'],
  'twilio_accounts_v1.json': ['/v1/Messaging/GeoPermissions'],
  'twilio_voice_v1.json': [
    '/v1/DialingPermissions/Countries',
    '/v1/DialingPermissions/Countries/{IsoCode}',
    '/v1/DialingPermissions/BulkCountryUpdates',
    '/v1/DialingPermissions/Countries/{IsoCode}/HighRiskSpecialPrefixes',
  ],
};

export const TWILIO_OAI_FIXTURE_DIR = path.resolve(__dirname, '../tests/fixtures/twilio-oai');

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function collectRefs(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, into);
  } else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        into.add(value.slice('#/components/schemas/'.length));
      } else {
        collectRefs(value, into);
      }
    }
  }
}

/** The description reduced to the given paths and the schemas they reach (transitively). */
export function reduceDescription(spec: Json, keep: readonly string[], file: string): Json {
  const paths = isObject(spec['paths']) ? spec['paths'] : {};
  const components = isObject(spec['components']) ? spec['components'] : {};
  const schemas = isObject(components['schemas']) ? components['schemas'] : {};
  const keptPaths: Json = {};
  for (const name of keep) {
    if (!(name in paths)) throw new Error(`${file} has no path ${name}`);
    keptPaths[name] = paths[name];
  }
  const wanted = new Set<string>();
  collectRefs(keptPaths, wanted);
  const keptSchemas: Json = {};
  const queue = [...wanted];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (name in keptSchemas) continue;
    if (!(name in schemas)) throw new Error(`${file} references a missing schema ${name}`);
    keptSchemas[name] = schemas[name];
    const more = new Set<string>();
    collectRefs(schemas[name], more);
    for (const next of more) if (!(next in keptSchemas)) queue.push(next);
  }
  const sortedSchemas = Object.fromEntries(Object.keys(keptSchemas).sort().map((name) => [name, keptSchemas[name]]));
  return { openapi: spec['openapi'], info: spec['info'], servers: spec['servers'], paths: keptPaths, components: { schemas: sortedSchemas } };
}

function main(argv: string[]): void {
  const source = argv.find((arg) => !arg.startsWith('--'));
  const commitAt = argv.indexOf('--commit');
  const commit = commitAt >= 0 ? argv[commitAt + 1] : undefined;
  if (source === undefined) {
    console.error('usage: npm run refresh-twilio-oai -- <twilio-oai spec/json dir> [--commit <sha>]');
    process.exit(2);
  }
  mkdirSync(TWILIO_OAI_FIXTURE_DIR, { recursive: true });
  const lines: string[] = [];
  for (const [file, keep] of Object.entries(TWILIO_OAI_PATHS)) {
    const spec = JSON.parse(readFileSync(path.join(source, file), 'utf8')) as Json;
    const reduced = reduceDescription(spec, keep, file);
    const text = `${JSON.stringify(reduced, null, 1)}\n`;
    writeFileSync(path.join(TWILIO_OAI_FIXTURE_DIR, file), text);
    lines.push(`- \`${file}\`: ${keep.map((p) => `\`${p}\``).join(', ')}`);
    console.log(`${file}: ${keep.length} paths, ${Object.keys((reduced['components'] as Json)['schemas'] as Json).length} schemas, ${text.length} bytes`);
  }
  const licence = path.join(source, 'LICENSE');
  const licenceCandidates = [licence, path.join(source, '../../LICENSE')];
  const found = licenceCandidates.find((candidate) => {
    try {
      readFileSync(candidate);
      return true;
    } catch {
      return false;
    }
  });
  if (found === undefined) throw new Error(`no LICENSE found beside ${source} (the descriptions are MIT-licensed; keep the licence)`);
  writeFileSync(path.join(TWILIO_OAI_FIXTURE_DIR, 'LICENSE'), readFileSync(found));
  writeFileSync(
    path.join(TWILIO_OAI_FIXTURE_DIR, 'SOURCE.md'),
    [
      '# Twilio OpenAPI descriptions (reduced)',
      '',
      `From the public repository twilio/twilio-oai, \`spec/json/\`${commit ? `, commit ${commit}` : ''}, MIT licence (LICENSE beside this file).`,
      'Each file keeps only the paths below and the component schemas they reference; nothing else is changed.',
      'The local Twilio test servers validate requests and answers against them.',
      'Refresh with `npm run refresh-twilio-oai -- <spec/json dir> --commit <sha>`.',
      '',
      ...lines,
      '',
    ].join('\n'),
  );
}

if (require.main === module) main(process.argv.slice(2));
