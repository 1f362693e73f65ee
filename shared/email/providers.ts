/**
 * Public mail providers: domains where millions of unrelated people have addresses, so a count of
 * sign-ups per domain, or "first seen today", says nothing about them. From free-email-domains-
 * typescript (MIT, ~4 800 domains from HubSpot's list; an npm dependency of the Action, left
 * external by the bundler) plus the providers tollguard protects by name (provider-domains.ts),
 * which covers the regional ones that list lacks (daum.net, o2.pl, docomo.ne.jp, proton.me...).
 *
 * Only for exemptions from counting. The list also holds some disposable and typo-squat domains
 * (yaho.com, hotmail.co): the disposable and look-alike checks never consult it.
 */
import { domainToASCII } from 'node:url';
import { freeEmailDomains } from 'free-email-domains-typescript';
import { registrableDomain } from './address';
import { DEFAULT_PROTECTED_DOMAINS } from './provider-domains';

let providers: ReadonlySet<string> | undefined;

function providerDomains(): ReadonlySet<string> {
  providers ??= new Set([...freeEmailDomains.map((domain) => domain.toLowerCase()), ...DEFAULT_PROTECTED_DOMAINS]);
  return providers;
}

/**
 * True when the domain, or its registrable domain, is a public mail provider (mx.gmail.com and
 * gmail.com both are). Unicode or punycode, any case, a trailing dot tolerated; anything that is
 * not a host name answers false.
 */
export function isMailProvider(domain: string): boolean {
  const name = asciiHostName(domain);
  if (name === undefined) return false;
  const list = providerDomains();
  return list.has(name) || list.has(registrableDomain(name));
}

function asciiHostName(domain: string): string | undefined {
  if (typeof domain !== 'string' || domain.length === 0 || domain.length > 1024) return undefined;
  let name = domain.trim().toLowerCase().replace(/\.$/, '');
  if (/[^\x00-\x7f]/.test(name)) name = domainToASCII(name);
  if (name === '' || !/^[a-z0-9.-]+$/.test(name)) return undefined;
  return name;
}
