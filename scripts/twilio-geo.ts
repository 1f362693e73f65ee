/**
 * `npm run twilio-geo`: pushes tollguard's country policy into Twilio's own account settings,
 * Messaging Geo Permissions and Voice Dialing Permissions, so that Twilio refuses what the Actions
 * refuse even when the Actions fail open. See docs/twilio-geo.md.
 *
 *   1. checks, without any network call, the credentials and the policy secrets (the Actions' own
 *      parser; a value they would replace by its default stops the run); every problem in one message;
 *   2. reads the account's current settings;
 *   3. computes the plan per country Twilio reports and prints the difference (--dry-run, the default);
 *   4. with --apply, writes it with the bulk APIs, reads the account back and reports every row by
 *      what Twilio reports afterwards.
 */
import { redact } from './deploy/environment';
import { applyJson, renderApply, renderPlan, planJson } from './twilio-geo/table';
import { applyPlan, exitCodeFor, type ApplyOptions } from './twilio-geo/apply';
import { TwilioGeoClient, TwilioGeoError } from './twilio-geo/client';
import { checkGeoEnvironment, mergeSources, readEnvFile, type GeoSettings } from './twilio-geo/environment';
import { computePlan } from './twilio-geo/plan';
import { learnedServedCountries } from './twilio-geo/served';

interface Options {
  apply: boolean;
  /** --apply even while GUARD_MODE=monitor (a roll-out that should refuse nothing yet). */
  force: boolean;
  json: boolean;
  all: boolean;
  allowEnable: boolean;
  envFile: string | undefined;
  help: boolean;
}

const USAGE = `usage: npm run twilio-geo -- [--dry-run | --apply] [--allow-enable] [--json] [--all] [--env-file <file>]

  --dry-run       (default) read Twilio's settings and show what would change; nothing is written
  --apply         write the changes (bulk APIs), read them back, report what did not change
  --force         --apply even while GUARD_MODE=monitor (refused otherwise: a monitor roll-out refuses nothing yet)
  --allow-enable  also turn on countries the policy allows but Twilio has off (default: only tighten)
  --json          print the plan / the apply report as JSON
  --all           list every country and channel, not only the changes
  --env-file <f>  read NAME=value lines from <f>; the environment wins over the file

Environment: TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN (or TWILIO_API_KEY + TWILIO_API_SECRET), and the
send Actions' policy secrets (GUARD_ALLOWED_COUNTRIES, GUARD_BLOCKED_COUNTRIES, GUARD_HIGH_RISK_TIER,
GUARD_HIGH_RISK_EXCEPTIONS, GUARD_VOICE_ALLOWED_COUNTRIES, GUARD_VOICE_BLOCKED_COUNTRIES,
GUARD_ALLOWED_NUMBERS, GUARD_BLOCKED_LINE_TYPES, ...). TWILIO_GEO_BASE_URL: one origin serving both
APIs (a proxy; tests). Exit status: 0 done / nothing to do, 1 a problem or a change that did not take,
2 bad arguments, 3 applied except changes only the Twilio Console can make.`;

export function parseArgs(argv: string[]): { options: Options; problems: string[] } {
  const options: Options = { apply: false, force: false, json: false, all: false, allowEnable: false, envFile: undefined, help: false };
  const problems: string[] = [];
  let dryRun = false;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--dry-run') dryRun = true;
    else if (arg === '--apply') options.apply = true;
    else if (arg === '--force') options.force = true;
    else if (arg === '--json') options.json = true;
    else if (arg === '--all') options.all = true;
    else if (arg === '--allow-enable') options.allowEnable = true;
    else if (arg === '--help' || arg === '-h') options.help = true;
    else if (arg === '--env-file' || arg.startsWith('--env-file=')) {
      const value = arg === '--env-file' ? argv[++index] : arg.slice('--env-file='.length);
      if (value === undefined || value === '') problems.push('--env-file needs a file');
      else options.envFile = value;
    } else problems.push(`unknown argument ${JSON.stringify(arg)}`);
  }
  if (dryRun && options.apply) problems.push('--dry-run and --apply exclude each other');
  return { options, problems };
}

/** Test seams: shorter waits than a real account needs. */
export interface Overrides {
  timeoutMs?: number;
  maxRetryAfterMs?: number;
  apply?: ApplyOptions;
}

interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

const consoleOutput: Output = { out: (text) => console.log(text), err: (text) => console.error(text) };

function settingsFrom(options: Options, env: NodeJS.ProcessEnv): { settings: GeoSettings; problems: string[] } {
  const file = options.envFile === undefined ? { values: {}, problems: [] } : readEnvFile(options.envFile);
  const { settings, problems } = checkGeoEnvironment(mergeSources(env, file.values));
  return { settings, problems: [...file.problems, ...problems] };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, overrides: Overrides = {}, io: Output = consoleOutput): Promise<number> {
  const { options, problems: argProblems } = parseArgs(argv);
  if (options.help) {
    io.out(USAGE);
    return 0;
  }
  if (argProblems.length > 0) {
    io.err(`twilio-geo: ${argProblems.join('; ')}\n${USAGE}`);
    return 2;
  }
  const { settings, problems } = settingsFrom(options, env);
  const safe = (text: string) => redact(text, settings.credentials);
  if (problems.length > 0) {
    const lines = problems.map((problem) => `  - ${safe(problem)}`);
    io.err(`twilio-geo: refusing to run; ${problems.length} problem${problems.length === 1 ? '' : 's'} to fix:\n${lines.join('\n')}`);
    io.err('twilio-geo: nothing was sent to Twilio.');
    return 1;
  }

  if (options.apply && settings.policy.mode === 'monitor' && !options.force) {
    io.err(
      'twilio-geo: refusing to --apply while GUARD_MODE is monitor: the Actions are being rolled out to watch before they refuse, and ' +
        "Twilio would start refusing these countries now. Run the dry run, switch GUARD_MODE to enforce first, or add --force.",
    );
    io.err('twilio-geo: nothing was sent to Twilio.');
    return 1;
  }

  const client = new TwilioGeoClient({
    accountsUrl: settings.accountsUrl,
    voiceUrl: settings.voiceUrl,
    auth: settings.auth,
    timeoutMs: overrides.timeoutMs,
    maxRetryAfterMs: overrides.maxRetryAfterMs,
  });
  try {
    const current = await client.readSettings();
    const plan = computePlan(current, {
      policy: settings.policy,
      served: await learnedServedCountries(settings.secrets),
      allowEnable: options.allowEnable,
    });
    if (!options.apply) {
      if (options.json) io.out(safe(JSON.stringify(planJson(plan), null, 2)));
      else {
        io.out(`twilio-geo: dry run against the Twilio account of ${settings.auth.kind === 'api-key' ? 'TWILIO_API_KEY' : 'TWILIO_ACCOUNT_SID'}; nothing is written`);
        io.out(safe(renderPlan(plan, { all: options.all, allowEnable: options.allowEnable })));
      }
      return 0;
    }
    const report = await applyPlan(client, plan, overrides.apply);
    io.out(safe(options.json ? JSON.stringify(applyJson(report), null, 2) : renderApply(report)));
    return exitCodeFor(report);
  } catch (error) {
    const message = error instanceof TwilioGeoError ? error.message : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
    io.err(`twilio-geo: ${safe(message)}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`twilio-geo: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
