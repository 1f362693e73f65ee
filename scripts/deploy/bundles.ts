/**
 * The built bundles a deploy ships: they must exist, be current (newer than every source the build
 * reads), declare every npm package they require with the exact version package-lock.json locks,
 * and contain neither a keyword auth0-deploy-cli would rewrite nor anything that looks like a real
 * credential. The checked bytes are then copied into a fresh staging directory, which the CLI gets
 * as its base path: what was scanned is exactly what is uploaded.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { MAX_ACTION_BYTES } from '../build';
import type { DeploySettings } from './environment';
import type { PlannedAction } from './tenant-config';

export interface Dependency {
  name: string;
  version: string;
}

export interface CheckedBundle {
  action: PlannedAction;
  code: Buffer;
  sha256: string;
  dependencies: Dependency[];
}

/** Sources whose change makes dist/ stale (what scripts/build.ts reads). */
const BUILD_INPUTS = ['actions', 'shared', 'scripts/build.ts', 'scripts/lib/action-packages.ts', 'package-lock.json'];
const MAX_DEPENDENCIES = 10; // Auth0: at most 10 npm dependencies per Action
const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Shapes of real credentials that must never be inside a bundle. */
const CREDENTIAL_SHAPES: Array<{ what: string; pattern: RegExp }> = [
  { what: 'a Twilio Account SID (AC + 32 hex digits)', pattern: /\bAC[0-9a-fA-F]{32}\b/ },
  { what: 'a Twilio API key SID (SK + 32 hex digits)', pattern: /\bSK[0-9a-fA-F]{32}\b/ },
  { what: 'an Upstash database URL', pattern: /https:\/\/[a-z0-9-]+\.upstash\.io/ },
  { what: 'a Google API key (reCAPTCHA Enterprise)', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { what: 'a Slack webhook URL', pattern: /hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+/ },
  { what: 'a private key', pattern: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/ },
];
const KEYWORD = /##[A-Za-z0-9_]+##|@@[A-Za-z0-9_]+@@/;

function newestInput(root: string): { file: string; mtimeMs: number } {
  let newest = { file: '', mtimeMs: 0 };
  const visit = (full: string) => {
    const stat = statSync(full, { throwIfNoEntry: false });
    if (stat === undefined) return;
    if (stat.isDirectory()) {
      for (const entry of readdirSync(full)) visit(path.join(full, entry));
    } else if (stat.mtimeMs > newest.mtimeMs) {
      newest = { file: path.relative(root, full), mtimeMs: stat.mtimeMs };
    }
  };
  for (const input of BUILD_INPUTS) visit(path.join(root, input));
  return newest;
}

function lockedVersions(root: string): Map<string, string> {
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages?: Record<string, { version?: string }> };
  const versions = new Map<string, string>();
  for (const [key, entry] of Object.entries(lock.packages ?? {})) {
    const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(key);
    if (match?.[1] !== undefined && entry.version !== undefined) versions.set(match[1], entry.version);
  }
  return versions;
}

/** npm packages a CommonJS bundle requires (node built-ins excluded). */
export function requiredPackages(code: string): string[] {
  const builtins = new Set(builtinModules);
  const packages = new Set<string>();
  for (const match of code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
    const specifier = match[1] ?? '';
    if (specifier.startsWith('node:') || specifier.startsWith('.') || builtins.has(specifier)) continue;
    const parts = specifier.split('/');
    packages.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier));
  }
  return [...packages].sort();
}

function offsetNote(code: string, index: number): string {
  const line = code.slice(0, index).split('\n').length;
  return `line ${line}, offset ${index}`;
}

/** Problems with one bundle's content: keywords, credential shapes, the environment's credentials. */
export function scanBundle(file: string, code: string, credentials: DeploySettings['credentials']): string[] {
  const problems: string[] = [];
  const keyword = KEYWORD.exec(code);
  if (keyword !== null) {
    problems.push(`${file} contains ${keyword[0]} (${offsetNote(code, keyword.index)}): auth0-deploy-cli would replace it as a keyword, so the uploaded code would differ from the build`);
  }
  for (const { what, pattern } of CREDENTIAL_SHAPES) {
    const found = pattern.exec(code);
    if (found !== null) problems.push(`${file} contains ${what} (${offsetNote(code, found.index)}): credentials belong in Action secrets, never in the code`);
  }
  for (const { name, value } of credentials) {
    const index = code.indexOf(value);
    if (index >= 0) problems.push(`${file} contains the value of ${name} (${offsetNote(code, index)}): credentials belong in Action secrets, never in the code`);
  }
  return problems;
}

export function checkBundles(
  root: string,
  distDir: string,
  actions: PlannedAction[],
  credentials: DeploySettings['credentials'],
): { bundles: CheckedBundle[]; problems: string[] } {
  const problems: string[] = [];
  const bundles: CheckedBundle[] = [];
  const shownDist = path.relative(root, distDir) || distDir;
  const depsFile = path.join(distDir, 'dependencies.json');
  let recorded: Record<string, unknown> = {};
  try {
    recorded = JSON.parse(readFileSync(depsFile, 'utf8')) as Record<string, unknown>;
  } catch {
    problems.push(`${shownDist}/dependencies.json is missing or unreadable: run npm run build`);
  }
  const locked = lockedVersions(root);
  const newest = newestInput(root);

  for (const action of actions) {
    const file = path.join(distDir, action.bundle);
    const shown = `${shownDist}/${action.bundle}`;
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat === undefined || action.bundle === '') {
      problems.push(`${shown} is missing: run npm run build`);
      continue;
    }
    const code = readFileSync(file);
    const text = code.toString('utf8');
    if (stat.mtimeMs < newest.mtimeMs) {
      problems.push(`${shown} is older than ${newest.file} (changed ${new Date(newest.mtimeMs).toISOString()}): run npm run build`);
    }
    if (code.length > MAX_ACTION_BYTES) problems.push(`${shown} is ${code.length} bytes, over Auth0's ${MAX_ACTION_BYTES}-byte Action code limit`);
    if (!/\bonExecute[A-Za-z]+\b/.test(text)) problems.push(`${shown} exports no onExecute… handler`);
    problems.push(...scanBundle(shown, text, credentials));

    const entry = recorded[action.buildName];
    const dependencies: Dependency[] = [];
    if (!Array.isArray(entry)) {
      if (Object.keys(recorded).length > 0) problems.push(`${shownDist}/dependencies.json has no entry for ${action.buildName}: run npm run build`);
    } else {
      for (const item of entry as unknown[]) {
        const dep = item as Partial<Dependency>;
        if (typeof dep.name !== 'string' || typeof dep.version !== 'string' || !EXACT_VERSION.test(dep.version)) {
          problems.push(`${shownDist}/dependencies.json: ${action.buildName} lists ${JSON.stringify(item)}; expected { name, version } with an exact version`);
          continue;
        }
        const lockedVersion = locked.get(dep.name);
        if (lockedVersion !== dep.version) {
          problems.push(`${shownDist}/dependencies.json pins ${dep.name}@${dep.version} but package-lock.json has ${lockedVersion ?? 'no such package'}: run npm run build`);
        }
        dependencies.push({ name: dep.name, version: dep.version });
      }
      if (dependencies.length > MAX_DEPENDENCIES) problems.push(`${action.name} declares ${dependencies.length} npm dependencies; Auth0 allows ${MAX_DEPENDENCIES}`);
      const declared = new Set(dependencies.map((dep) => dep.name));
      for (const pkg of requiredPackages(text)) {
        if (!declared.has(pkg)) problems.push(`${shown} requires ${pkg}, which ${shownDist}/dependencies.json does not declare (Auth0 would fail with "Cannot find module")`);
      }
    }
    bundles.push({ action, code, sha256: createHash('sha256').update(code).digest('hex'), dependencies });
  }
  return { bundles, problems };
}

/** Writes the checked bytes to <stage>/dist/<bundle>; returns the stage (the CLI's base path). */
export function stageBundles(bundles: CheckedBundle[]): string {
  const stage = mkdtempSync(path.join(os.tmpdir(), 'tollguard-deploy-'));
  mkdirSync(path.join(stage, 'dist'));
  for (const bundle of bundles) writeFileSync(path.join(stage, 'dist', bundle.action.bundle), bundle.code);
  return stage;
}
