/**
 * Bundles each Action into one CommonJS file under dist/ with esbuild. npm packages stay external
 * and are recorded, with the exact versions from package-lock.json, in dist/dependencies.json for
 * the deploy step (Auth0 installs them). Fails when an Action exceeds Auth0's 100 kB code size or
 * contains a ##WORD## / @@WORD@@ sequence that auth0-deploy-cli would rewrite.
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ACTION_PACKAGES } from './lib/action-packages';
import { buildOktaHook } from './build-hook';
import { packedLuaSource } from './lib/lua-compact';
import { deflatedCountriesModule } from './lib/deflated-table';
import { MANGLED_PROPS_PATTERN } from './lib/mangled-props';
import { COUNTRIES } from '../shared/data/iso-3166';

export const ROOT = resolve(__dirname, '..');
export const DIST = join(ROOT, 'dist');
export const ACTIONS = ['send-phone-message', 'custom-phone-provider', 'pre-user-registration', 'post-login'] as const;
export const MAX_ACTION_BYTES = 100_000;
/** Packages Auth0 installs for the Actions (at most 10 each); everything else is inlined. */
const EXTERNAL_PACKAGES = ACTION_PACKAGES;
const KEYWORD_PATTERN = /##[A-Za-z0-9_]+##|@@[A-Za-z0-9_]+@@/;

export interface ActionDependency {
  name: string;
  version: string;
}

export interface BuiltAction {
  name: string;
  file: string;
  bytes: number;
  dependencies: ActionDependency[];
}

/** The counter store's Lua scripts are compacted and packed in the bundles (scripts/lib/lua-compact.ts). */
const LUA_SOURCE = /[\\/]shared[\\/]store[\\/]lua-scripts\.ts$/;
export const compactLuaPlugin: Plugin = {
  name: 'compact-lua',
  setup(builder) {
    builder.onLoad({ filter: LUA_SOURCE }, (args) => ({ contents: packedLuaSource(readFileSync(args.path, 'utf8')), loader: 'ts' }));
  },
};

/** The country table is packed in the bundles (scripts/lib/deflated-table.ts). */
const COUNTRY_TABLE = /[\\/]shared[\\/]data[\\/]iso-3166\.ts$/;
export const packCountriesPlugin: Plugin = {
  name: 'pack-countries',
  setup(builder) {
    builder.onLoad({ filter: COUNTRY_TABLE }, () => ({ contents: deflatedCountriesModule(COUNTRIES), loader: 'ts' }));
  },
};

export async function buildActions(options: { quiet?: boolean } = {}): Promise<BuiltAction[]> {
  mkdirSync(DIST, { recursive: true });
  const lockedVersions = readLockedVersions();
  const built: BuiltAction[] = [];
  for (const name of ACTIONS) {
    const file = join(DIST, `${name}.js`);
    const result = await build({
      entryPoints: [join(ROOT, 'actions', `${name}.ts`)],
      outfile: file,
      bundle: true,
      platform: 'node',
      target: ['node18'],
      format: 'cjs',
      external: EXTERNAL_PACKAGES.flatMap((pkg) => [pkg, `${pkg}/*`]),
      metafile: true,
      legalComments: 'none',
      // Names are shortened (Auth0 counts the code against 100 kB). Function names are not kept
      // (keepNames cost about 6 kB a bundle): a stack trace in Auth0's logs names a line and column
      // of the bundle, which scripts/build.ts rebuilds byte for byte from the same commit.
      minifyWhitespace: true,
      minifySyntax: true,
      minifyIdentifiers: true,
      // Internal property names are shortened too (scripts/lib/mangled-props.ts says which and why).
      mangleProps: MANGLED_PROPS_PATTERN,
      charset: 'utf8',
      logLevel: 'silent',
      banner: { js: `/* tollguard ${name}, built by scripts/build.ts */` },
      plugins: [compactLuaPlugin, packCountriesPlugin],
    });
    const code = readFileSync(file, 'utf8');
    checkBundle(name, code);
    built.push({
      name,
      file,
      bytes: Buffer.byteLength(code),
      dependencies: externalImports(result.metafile, lockedVersions),
    });
  }
  writeFileSync(
    join(DIST, 'dependencies.json'),
    JSON.stringify(Object.fromEntries(built.map((action) => [action.name, action.dependencies])), null, 2) + '\n',
  );
  await buildOktaHook(options); // the Okta hook server (not an Action: no size limit, no dependencies)
  if (!options.quiet) {
    for (const action of built) {
      const deps = action.dependencies.map((dep) => `${dep.name}@${dep.version}`).join(', ') || 'none';
      console.log(`dist/${action.name}.js  ${action.bytes} bytes  dependencies: ${deps}`);
    }
  }
  return built;
}

export function checkBundle(name: string, code: string): void {
  const bytes = Buffer.byteLength(code);
  if (bytes > MAX_ACTION_BYTES) {
    throw new Error(`${name}: bundle is ${bytes} bytes, over Auth0's ${MAX_ACTION_BYTES}-byte Action code limit`);
  }
  const keyword = KEYWORD_PATTERN.exec(code);
  if (keyword !== null) {
    throw new Error(`${name}: bundle contains ${keyword[0]}, which auth0-deploy-cli would replace as a keyword`);
  }
}

function externalImports(metafile: Metafile, locked: Map<string, string>): ActionDependency[] {
  const names = new Set<string>();
  for (const input of Object.values(metafile.inputs)) {
    for (const imported of input.imports) {
      if (!imported.external || imported.path.startsWith('node:')) continue;
      const pkg = EXTERNAL_PACKAGES.find((candidate) => imported.path === candidate || imported.path.startsWith(`${candidate}/`));
      if (pkg !== undefined) names.add(pkg);
    }
  }
  return [...names].sort().map((pkg) => {
    const version = locked.get(pkg);
    if (version === undefined) throw new Error(`${pkg} is imported by an Action but missing from package-lock.json`);
    return { name: pkg, version };
  });
}

function readLockedVersions(): Map<string, string> {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, { version?: string }>;
  };
  const versions = new Map<string, string>();
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(path);
    if (match?.[1] !== undefined && entry.version !== undefined) versions.set(match[1], entry.version);
  }
  return versions;
}

if (require.main === module) {
  buildActions().catch((error: unknown) => {
    console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
