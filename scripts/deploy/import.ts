/**
 * Runs the import through auth0-deploy-cli's documented Node API (`deploy` = `a0deploy import`).
 *
 * The configuration is passed explicitly and the CLI's `env` option stays off: the CLI then reads no
 * AUTH0_* variable from the environment (an AUTH0_ALLOW_DELETE=true there cannot turn deletes on) and
 * does not merge all of process.env into its keyword mappings (with env on it would: commands/import.js
 * assigns process.env into AUTH0_KEYWORD_REPLACE_MAPPINGS, and those mappings are also applied to the
 * Action code files).
 */
type DeployFn = (typeof import('auth0-deploy-cli'))['deploy'];

export interface ImportRequest {
  tenantFile: string;
  /** The staging directory: `code: ./dist/<bundle>` in tenant.yaml resolves against it. */
  basePath: string;
  domain: string;
  token: string;
  sections: string[];
  mappings: Record<string, unknown>;
  dryRun: boolean;
}

type DeployParams = Parameters<DeployFn>[0];
type DeployConfig = NonNullable<DeployParams['config']>;

export async function runImport(request: ImportRequest): Promise<void> {
  const config: Partial<DeployConfig> = {
    AUTH0_DOMAIN: request.domain,
    AUTH0_ACCESS_TOKEN: request.token,
    AUTH0_ALLOW_DELETE: false,
    AUTH0_INCLUDED_ONLY: request.sections as NonNullable<DeployConfig['AUTH0_INCLUDED_ONLY']>,
    // Arrays of objects (dependencies, bindings) are fine: @@KEY@@ is replaced by JSON.stringify(value).
    AUTH0_KEYWORD_REPLACE_MAPPINGS: request.mappings as NonNullable<DeployConfig['AUTH0_KEYWORD_REPLACE_MAPPINGS']>,
  };
  const params: DeployParams = {
    input_file: request.tenantFile,
    base_path: request.basePath,
    env: false,
    config,
  };
  if (request.dryRun) params.dry_run = true;
  // Loaded on use: the CLI require()s ESM-only packages (chalk 5), which needs Node >= 20.19 and is
  // more than the checks before an import (or a test importing this module) should pay for.
  const cli = await import('auth0-deploy-cli');
  await cli.deploy(params);
}
