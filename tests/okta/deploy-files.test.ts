/**
 * What can be checked of the deployment files without a Docker engine or a Cloudflare account:
 * the Dockerfile's build stage, replayed from exactly the paths it copies, produces the bundle its
 * runtime stage copies; the runtime stage runs that one file with node; the .dockerignore lets
 * those paths through; wrangler.toml points at the Worker bundle the build writes.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { OKTA_WORKER_BUNDLE } from '../../scripts/build-hook';

const ROOT = path.resolve(__dirname, '../..');
const DOCKERFILE = readFileSync(path.join(ROOT, 'Dockerfile.okta-hook'), 'utf8');

function stages(): string[][] {
  const lines = DOCKERFILE.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  const out: string[][] = [];
  for (const line of lines) {
    if (/^FROM\s/i.test(line)) out.push([]);
    out[out.length - 1]?.push(line);
  }
  return out;
}

test('the build stage, replayed from the paths it copies, writes the file the runtime stage runs', () => {
  const [build, runtime] = stages();
  expect(build?.[0]).toMatch(/^FROM node:22\S* AS build$/);
  const copies = (build ?? []).filter((line) => line.startsWith('COPY ')).flatMap((line) => line.split(/\s+/).slice(1, -1));
  expect(copies).toEqual(['package.json', 'package-lock.json', 'tsconfig.json', 'actions', 'shared', 'scripts', 'deploy']);
  const run = (build ?? []).filter((line) => line.startsWith('RUN ')).map((line) => line.slice(4));
  expect(run).toEqual(['npm ci --ignore-scripts --no-audit --no-fund', 'npx tsx scripts/build-hook.ts']);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'tollguard-docker-build-'));
  try {
    for (const source of copies) cpSync(path.join(ROOT, source), path.join(dir, source), { recursive: true });
    // Stands in for `npm ci` (the lock file's packages), which must not run in this shared tree.
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/build-hook.ts'], { cwd: dir, stdio: 'pipe', timeout: 60_000 });
    expect(existsSync(path.join(dir, 'dist', 'okta-telephony-hook.js'))).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  expect(runtime).toContain('COPY --from=build /src/dist/okta-telephony-hook.js ./okta-telephony-hook.js');
  expect(runtime?.[0]).toMatch(/^FROM gcr\.io\/distroless\/nodejs22-debian12:nonroot$/);
  expect(runtime?.at(-1)).toBe('CMD ["okta-telephony-hook.js"]');
  expect(DOCKERFILE).toMatch(/ENV NODE_ENV=production PORT=8787/);
});

test('the .dockerignore sends exactly what the build stage copies', () => {
  const ignore = readFileSync(path.join(ROOT, 'Dockerfile.okta-hook.dockerignore'), 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  expect(ignore[0]).toBe('*');
  expect(ignore.slice(1).map((line) => line.replace(/^!/, '').replace(/\/$/, ''))).toEqual(['package.json', 'package-lock.json', 'tsconfig.json', 'actions', 'shared', 'scripts', 'deploy']);
});

test('wrangler.toml runs the Worker bundle the build writes, with nodejs_compat', () => {
  const toml = readFileSync(path.join(ROOT, 'deploy', 'okta-hook', 'wrangler.toml'), 'utf8');
  const main = /^main = "([^"]+)"$/m.exec(toml)?.[1];
  expect(path.resolve(ROOT, 'deploy', 'okta-hook', main ?? '')).toBe(OKTA_WORKER_BUNDLE);
  expect(toml).toMatch(/^compatibility_flags = \["nodejs_compat"\]$/m);
  expect(toml).not.toMatch(/OKTA_HOOK_AUTH_SECRET\s*=/);
});
