/**
 * The real public mail providers tollguard knows by name, with their sibling domains (regional
 * spellings, older brands, short forms). Two uses:
 * - look-alike targets: a domain that looks like one of these (skeleton, one edit) is refused;
 * - never a look-alike themselves: ymail.com is one edit from gmail.com, gmx.de from gmx.net,
 *   yahoo.co.in from yahoo.co.id, and all are genuine. So a sibling that is missing here can be
 *   refused as a look-alike of one that is present: add siblings, not only brands.
 * Hand-kept on purpose: the free-email-domains list (providers.ts) also holds typo squats such as
 * yaho.com and hotmail.co, so it must not decide what is genuine.
 */

/** Gmail: googlemail.com is the same mailbox as gmail.com (the older name, kept in Germany and the UK). */
export const GOOGLE_MAIL_DOMAINS: readonly string[] = ['gmail.com', 'googlemail.com'];

/** Outlook.com and its older brands: the consumer domains Microsoft hands out. */
export const MICROSOFT_MAIL_DOMAINS: readonly string[] = [
  'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'passport.com', 'windowslive.com',
  'outlook.at', 'outlook.be', 'outlook.cl', 'outlook.co.id', 'outlook.co.il', 'outlook.co.nz', 'outlook.co.th',
  'outlook.com.ar', 'outlook.com.au', 'outlook.com.br', 'outlook.com.gr', 'outlook.com.pe', 'outlook.com.tr',
  'outlook.com.vn', 'outlook.cz', 'outlook.de', 'outlook.dk', 'outlook.es', 'outlook.fr', 'outlook.hu', 'outlook.ie',
  'outlook.in', 'outlook.it', 'outlook.jp', 'outlook.kr', 'outlook.lv', 'outlook.my', 'outlook.nl', 'outlook.ph',
  'outlook.pt', 'outlook.sa', 'outlook.sg', 'outlook.sk',
  'hotmail.be', 'hotmail.ca', 'hotmail.ch', 'hotmail.co.il', 'hotmail.co.jp', 'hotmail.co.nz', 'hotmail.co.uk',
  'hotmail.co.za', 'hotmail.com.ar', 'hotmail.com.au', 'hotmail.com.br', 'hotmail.com.tr', 'hotmail.de', 'hotmail.dk',
  'hotmail.es', 'hotmail.fi', 'hotmail.fr', 'hotmail.gr', 'hotmail.it', 'hotmail.nl', 'hotmail.no', 'hotmail.rs',
  'hotmail.ru', 'hotmail.se',
  'live.at', 'live.be', 'live.ca', 'live.cl', 'live.cn', 'live.co.uk', 'live.co.za', 'live.com.ar', 'live.com.au',
  'live.com.mx', 'live.com.pt', 'live.com.sg', 'live.de', 'live.dk', 'live.fr', 'live.ie', 'live.in', 'live.it',
  'live.jp', 'live.nl', 'live.no', 'live.ru', 'live.se', 'msn.cn', 'msn.nl',
];

const YAHOO = [
  'yahoo.com', 'ymail.com', 'rocketmail.com', 'y7mail.com',
  'yahoo.ae', 'yahoo.at', 'yahoo.be', 'yahoo.ca', 'yahoo.ch', 'yahoo.cn', 'yahoo.co.id', 'yahoo.co.il', 'yahoo.co.in',
  'yahoo.co.jp', 'yahoo.co.kr', 'yahoo.co.nz', 'yahoo.co.th', 'yahoo.co.uk', 'yahoo.co.za', 'yahoo.com.ar',
  'yahoo.com.au', 'yahoo.com.br', 'yahoo.com.cn', 'yahoo.com.co', 'yahoo.com.hk', 'yahoo.com.mx', 'yahoo.com.my',
  'yahoo.com.ph', 'yahoo.com.pe', 'yahoo.com.sg', 'yahoo.com.tr', 'yahoo.com.tw', 'yahoo.com.vn', 'yahoo.cz',
  'yahoo.de', 'yahoo.dk', 'yahoo.es', 'yahoo.fi', 'yahoo.fr', 'yahoo.gr', 'yahoo.hu', 'yahoo.ie', 'yahoo.in',
  'yahoo.it', 'yahoo.jp', 'yahoo.nl', 'yahoo.no', 'yahoo.pl', 'yahoo.pt', 'yahoo.ro', 'yahoo.ru', 'yahoo.se',
  'yahoo.com.ru', 'yahoo.com.is',
  'aol.com', 'aim.com', 'aol.co.uk', 'aol.de', 'aol.fr', 'verizon.net',
];

export const APPLE_MAIL_DOMAINS: readonly string[] = ['icloud.com', 'me.com', 'mac.com'];

export const PROTON_MAIL_DOMAINS: readonly string[] = ['proton.me', 'protonmail.com', 'protonmail.ch', 'pm.me'];

export const FASTMAIL_DOMAINS: readonly string[] = [
  'fastmail.com', 'fastmail.fm', 'fastmail.net', 'fastmail.to', 'fastmail.us', 'fastmail.co.uk', 'fastmail.com.au',
  'fastmail.ca', 'fastmail.cn', 'fastmail.es', 'fastmail.im', 'fastmail.in', 'fastmail.jp', 'fastmail.mx', 'fastmail.nl',
  'fastmail.se', 'fastmail.tw',
];

const PRIVACY = [
  'tuta.com', 'tuta.io', 'tutanota.com', 'tutanota.de', 'tutamail.com', 'keemail.me', 'messagingengine.com',
  'posteo.de', 'posteo.net', 'posteo.at', 'posteo.be', 'posteo.ch', 'posteo.cl', 'posteo.co', 'posteo.dk', 'posteo.es',
  'posteo.gl', 'posteo.no', 'posteo.us', 'mailbox.org', 'hushmail.com', 'zoho.com', 'zohomail.com', 'zohomail.eu', 'zohomail.in',
];

const GENERIC = ['mail.com', 'email.com', 'usa.com', 'inbox.com', 'lycos.com', 'gmx.com', 'gmx.net', 'gmx.us', 'gmx.co.uk'];

const EUROPE = [
  // German-speaking
  'gmx.de', 'gmx.at', 'gmx.ch', 'gmx.li', 'web.de', 't-online.de', 'freenet.de', 'arcor.de', 'online.de', 'bluewin.ch',
  'a1.net', 'aon.at',
  // French, Belgian, Spanish, Portuguese, Italian
  'gmx.fr', 'gmx.es', 'orange.fr', 'wanadoo.fr', 'free.fr', 'sfr.fr', 'neuf.fr', 'laposte.net', 'bbox.fr', 'skynet.be',
  'telenet.be', 'telefonica.net', 'terra.es', 'sapo.pt', 'libero.it', 'virgilio.it', 'alice.it', 'tim.it', 'tiscali.it',
  'tiscali.at', 'tiscali.be', 'tiscali.co.uk', 'tiscali.lu', 'tiscali.se',
  // British, Irish, Dutch, Nordic
  'btinternet.com', 'sky.com', 'virginmedia.com', 'talktalk.net', 'ntlworld.com', 'eircom.net', 'ziggo.nl', 'kpnmail.nl',
  'telia.com', 'online.no', 'online.nl', 'online.ie', 'inbox.lv', 'inbox.lt',
  // Central and Eastern
  'wp.pl', 'o2.pl', 'onet.pl', 'op.pl', 'interia.pl', 'seznam.cz', 'email.cz', 'centrum.cz', 'centrum.sk', 'azet.sk', 'freemail.hu',
  'abv.bg', 'ukr.net', 'i.ua', 'meta.ua',
  // Russian-speaking
  'yandex.ru', 'yandex.com', 'yandex.ua', 'yandex.by', 'yandex.kz', 'ya.ru', 'mail.ru', 'inbox.ru', 'list.ru', 'bk.ru',
  'internet.ru', 'rambler.ru',
];

const ASIA = [
  'naver.com', 'daum.net', 'hanmail.net', 'kakao.com', 'nate.com',
  'docomo.ne.jp', 'ezweb.ne.jp', 'au.com', 'softbank.ne.jp', 'i.softbank.jp', 'nifty.com', 'ybb.ne.jp',
  'qq.com', 'foxmail.com', '163.com', '126.com', 'yeah.net', 'sina.com', 'sina.cn', 'sohu.com', 'aliyun.com', '139.com',
  '189.cn', 'rediffmail.com',
];

const AMERICAS_OCEANIA_AFRICA = [
  'att.net', 'sbcglobal.net', 'bellsouth.net', 'comcast.net', 'cox.net', 'charter.net', 'earthlink.net', 'earthling.net', 'optonline.net',
  'shaw.ca', 'rogers.com', 'sympatico.ca', 'videotron.ca',
  'uol.com.br', 'bol.com.br', 'terra.com.br', 'terra.com.ar', 'terra.cl', 'terra.com', 'ig.com.br', 'prodigy.net.mx',
  'bigpond.com', 'bigpond.net.au', 'optusnet.com.au', 'xtra.co.nz',
];

/** Lower-case ASCII, most used first (the first entry wins when two share a skeleton). */
export const DEFAULT_PROTECTED_DOMAINS: readonly string[] = [
  ...GOOGLE_MAIL_DOMAINS, ...MICROSOFT_MAIL_DOMAINS, ...YAHOO, ...APPLE_MAIL_DOMAINS, ...PROTON_MAIL_DOMAINS,
  ...FASTMAIL_DOMAINS, ...PRIVACY, ...GENERIC, ...EUROPE, ...ASIA, ...AMERICAS_OCEANIA_AFRICA,
];
