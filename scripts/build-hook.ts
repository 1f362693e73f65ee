/**
 * Bundles the Okta telephony hook server into one self-contained CommonJS file,
 * dist/okta-telephony-hook.js (hono, @hono/node-server, libphonenumber-js inlined: it runs with
 * `node` alone, no node_modules), and the Cloudflare Worker of the same app into
 * dist/okta-hook-worker.mjs. Each file is written whole, then renamed into place, so a test or a
 * server starting meanwhile never reads half a bundle.
 */
import { build, type BuildOptions } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const DIST = join(ROOT, 'dist');

export const OKTA_HOOK_BUNDLE = join(DIST, 'okta-telephony-hook.js');
export const OKTA_WORKER_BUNDLE = join(DIST, 'okta-hook-worker.mjs');

export interface BuiltHook {
  file: string;
  bytes: number;
}

const COMMON: BuildOptions = {
  bundle: true,
  write: false,
  metafile: false,
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  charset: 'utf8',
  logLevel: 'silent',
};

export async function buildOktaHook(options: { quiet?: boolean } = {}): Promise<BuiltHook[]> {
  mkdirSync(DIST, { recursive: true });
  const server = await bundle(OKTA_HOOK_BUNDLE, {
    ...COMMON,
    entryPoints: [join(ROOT, 'actions', 'okta-telephony-hook.ts')],
    platform: 'node',
    target: ['node20'],
    format: 'cjs',
    banner: { js: '/* tollguard Okta telephony hook server, built by scripts/build-hook.ts; do not edit */' },
  });
  const worker = await bundle(OKTA_WORKER_BUNDLE, {
    ...COMMON,
    entryPoints: [join(ROOT, 'deploy', 'okta-hook', 'cloudflare-worker.ts')],
    platform: 'neutral',
    target: ['es2022'],
    format: 'esm',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'import'],
    // Provided by the Workers runtime with the nodejs_compat flag.
    external: ['node:*'],
    banner: { js: '/* tollguard Okta telephony hook, Cloudflare Worker, built by scripts/build-hook.ts; do not edit */' },
  });
  const built = [server, worker];
  if (!options.quiet) for (const file of built) console.log(`${file.file.slice(ROOT.length + 1)}  ${file.bytes} bytes  self-contained`);
  return built;
}

async function bundle(file: string, options: BuildOptions): Promise<BuiltHook> {
  const result = await build({ ...options, outfile: file });
  const output = result.outputFiles?.[0];
  if (output === undefined) throw new Error(`esbuild wrote nothing for ${file}`);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, output.contents);
  renameSync(temporary, file);
  return { file, bytes: output.contents.byteLength };
}

if (require.main === module) {
  buildOktaHook().catch((error: unknown) => {
    console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
