/**
 * The Action bundles carry the country table packed (scripts/lib/deflated-table.ts). The hardening
 * suites read country names and alpha-3 codes through the built bundles; this file checks that the
 * packed module gives back exactly the source's table, and that the bundles carry it packed.
 */
import { transformSync } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIONS, DIST, buildActions } from '../../scripts/build';
import { deflatedCountriesModule } from '../../scripts/lib/deflated-table';
import { COUNTRIES } from '../../shared/data/iso-3166';

function load(moduleSource: string): Record<string, unknown> {
  const { code } = transformSync(moduleSource, { loader: 'ts', format: 'cjs' });
  const module = { exports: {} as Record<string, unknown> };
  new Function('require', 'module', 'exports', code)(require, module, module.exports);
  return module.exports;
}

describe('the packed country table', () => {
  test('inflates to the very table of the sources, and is shorter than it', () => {
    const packed = deflatedCountriesModule(COUNTRIES);
    expect(load(packed)['COUNTRIES']).toBe(COUNTRIES);
    expect(packed.length).toBeLessThan(COUNTRIES.length - 500);
  });

  test('any text survives the round trip, accents and separators included', () => {
    const text = 'ÅLAAXåland islands|CIVCIcôte d’ivoire|\'quoted\'';
    expect(load(deflatedCountriesModule(text))['COUNTRIES']).toBe(text);
  });

  test('the Action bundles that parse country secrets carry the table packed, not raw', async () => {
    await buildActions({ quiet: true });
    const packed = deflatedCountriesModule(COUNTRIES).match(/'([A-Za-z0-9+/=]{100,})'/)?.[1] ?? '';
    expect(packed.length).toBeGreaterThan(1000);
    const carried = ACTIONS.filter((action) => readFileSync(join(DIST, `${action}.js`), 'utf8').includes(packed));
    expect(carried).toEqual(expect.arrayContaining(['send-phone-message', 'custom-phone-provider']));
    // post-login never reads the table and drops it whole (the call is marked pure); it inflates only the store's Lua scripts.
    expect(carried).not.toContain('post-login');
    for (const action of ACTIONS) expect({ action, raw: readFileSync(join(DIST, `${action}.js`), 'utf8').includes('ABWAWaruba|') }).toEqual({ action, raw: false });
  });
});
