/**
 * The mailbox an address reaches, as its provider sees it: a key for velocity and list checks only.
 * The address itself is never rewritten (the user record keeps what the person typed).
 *
 * Rule: canonicalisation never merges two addresses the provider keeps apart. So only what the
 * provider documents is folded:
 * - Gmail (gmail.com, and googlemail.com, the same mailboxes): case, dots and a +tag are ignored
 *   (Google's "dots don't matter" help page); john.smith+x@googlemail.com -> johnsmith@gmail.com.
 * - Outlook.com / Hotmail / Live / MSN, iCloud (icloud.com, me.com, mac.com), Proton (proton.me,
 *   protonmail.com/.ch, pm.me) and Fastmail: a +tag is delivered to the base mailbox, and their
 *   mailbox names are case-insensitive and cannot contain '+', so dropping the tag and lower-casing
 *   can only reach the mailbox the mail goes to. Dots stay: they are part of these mailbox names
 *   (Proton is said to ignore dots too, but does not document it). Fastmail's subdomain addressing
 *   (anything@jane.fastmail.com is jane+anything@fastmail.com) is folded the same way.
 * - Every other domain, Yahoo included (its "base-keyword" disposable addresses are mailboxes the
 *   user can delete one by one, and a '-' is an ordinary character of Yahoo IDs): the domain in
 *   lower case, the local part exactly as written, since the receiving server decides and may be
 *   case-sensitive (John@company.example and john@company.example may be two people).
 * - A quoted local part ("a.b"@gmail.com) is never altered, whatever the domain: quotes make dots
 *   and '+' literal characters. parseEmail refuses such addresses before they get here anyway.
 */
import type { EmailFacts } from './address';
import { APPLE_MAIL_DOMAINS, FASTMAIL_DOMAINS, GOOGLE_MAIL_DOMAINS, MICROSOFT_MAIL_DOMAINS, PROTON_MAIL_DOMAINS } from './provider-domains';

const GMAIL = 'gmail.com';
const GMAIL_DOMAINS: ReadonlySet<string> = new Set(GOOGLE_MAIL_DOMAINS);
const PLUS_TAG_DOMAINS: ReadonlySet<string> = new Set([
  ...MICROSOFT_MAIL_DOMAINS, ...APPLE_MAIL_DOMAINS, ...PROTON_MAIL_DOMAINS, ...FASTMAIL_DOMAINS,
]);
const FASTMAIL: ReadonlySet<string> = new Set(FASTMAIL_DOMAINS);

export function canonicalMailbox(email: EmailFacts): string {
  const domain = email.domain.toLowerCase().replace(/\.$/, '');
  const local = email.local;
  if (local.startsWith('"')) return `${local}@${domain}`;

  if (GMAIL_DOMAINS.has(domain)) {
    const base = withoutTag(local.toLowerCase()).replace(/\./g, '');
    return `${base === '' ? local.toLowerCase() : base}@${GMAIL}`;
  }
  if (PLUS_TAG_DOMAINS.has(domain)) return `${withoutTag(local.toLowerCase())}@${domain}`;

  const fastmailUser = fastmailSubdomainUser(domain);
  if (fastmailUser !== undefined) return `${fastmailUser.user}@${fastmailUser.domain}`;
  return `${local}@${domain}`;
}

/** jane+news -> jane; a '+' that starts the local part is not a tag separator (no base left). */
function withoutTag(local: string): string {
  const plus = local.indexOf('+');
  return plus > 0 ? local.slice(0, plus) : local;
}

/** anything@jane.fastmail.com -> jane@fastmail.com (one label above a Fastmail domain). */
function fastmailSubdomainUser(domain: string): { user: string; domain: string } | undefined {
  const dot = domain.indexOf('.');
  if (dot <= 0) return undefined;
  const parent = domain.slice(dot + 1);
  if (!FASTMAIL.has(parent)) return undefined;
  return { user: domain.slice(0, dot), domain: parent };
}
