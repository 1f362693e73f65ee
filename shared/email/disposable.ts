/**
 * Disposable (throw-away) e-mail domains, from disposable-email-domains-js (CC0, ~8 900 domains;
 * an npm dependency of the Action, left external by the bundler).
 *
 * The package's own isDisposableEmailDomain() builds a new Set of the whole list on every call;
 * this runs once per sign-up on a login path, so the Set is built once, on first use, and kept at
 * module scope for the life of the Action container.
 */
import { domainToASCII } from 'node:url';
import { disposableEmailBlocklistSet } from 'disposable-email-domains-js';
import { domainAndParents, registrableDomain } from './address';

let blocklist: ReadonlySet<string> | undefined;

function disposableDomains(): ReadonlySet<string> {
  blocklist ??= disposableEmailBlocklistSet();
  return blocklist;
}

/**
 * True when the domain, or a parent of it down to its registrable domain, is on the list
 * (x.mailinator.com is disposable because mailinator.com is). Public suffixes above the
 * registrable domain (com, co.uk) are never looked up. Accepts Unicode or ASCII, any case.
 */
export function isDisposableDomain(domain: string): boolean {
  let name = domain.trim().toLowerCase().replace(/\.$/, '');
  if (/[^\x00-\x7f]/.test(name)) name = domainToASCII(name);
  if (name === '') return false;
  const list = disposableDomains();
  const registrable = registrableDomain(name);
  for (const candidate of domainAndParents(name)) {
    if (list.has(candidate)) return true;
    if (candidate === registrable) break;
  }
  return false;
}
