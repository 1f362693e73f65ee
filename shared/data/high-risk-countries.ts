/**
 * The default high-risk tier: destination countries where OTP SMS / voice are refused unless the
 * tenant exempts them (GUARD_HIGH_RISK_EXCEPTIONS) or turns the tier off (GUARD_HIGH_RISK_TIER=off).
 *
 * Sources (facts only; the selection is ours):
 * - SMS: the 114 calling codes for which Microsoft Entra External ID turns SMS verification off by
 *   default since January 2025 (MicrosoftDocs/entra-docs, how-to-region-code-opt-in.md), mapped to
 *   ISO regions with libphonenumber-js metadata (+7 is RU and KZ, +590 is GP/BL/MF, +262 is RE/YT,
 *   +212 is MA/EH, +290 is SH/TA; +672 there is listed as Timor-Leste but is Norfolk Island).
 * - Voice adds the destinations an Okta support article (attributed to Twilio) lists as the top
 *   voice toll-fraud targets that the SMS list lacks: Latvia, Lithuania, Estonia, Maldives;
 *   Twilio only publishes its own high-risk voice prefixes behind credentials.
 * Twilio does not publish its SMS high-risk list; tenants should still keep Twilio's own Geo
 * Permissions as narrow as this tier or narrower.
 */

export const SMS_HIGH_RISK_COUNTRIES: readonly string[] = [
  'AE', 'AF', 'AM', 'AO', 'AZ', 'BA', 'BD', 'BF', 'BG', 'BI', 'BJ', 'BL', 'BO', 'BT', 'BY', 'BZ',
  'CD', 'CG', 'CI', 'CM', 'CU', 'CV', 'DJ', 'DZ', 'EC', 'EG', 'EH', 'ER', 'ET', 'FJ', 'FM', 'GA',
  'GE', 'GH', 'GM', 'GN', 'GP', 'GT', 'GW', 'GY', 'HR', 'HT', 'ID', 'IQ', 'IR', 'JM', 'JO', 'KE',
  'KG', 'KH', 'KI', 'KM', 'KW', 'KZ', 'LB', 'LK', 'LR', 'LS', 'LY', 'MA', 'MC', 'MD', 'MF', 'MG',
  'ML', 'MM', 'MN', 'MR', 'MU', 'MW', 'MZ', 'NC', 'NE', 'NF', 'NG', 'NI', 'NP', 'OM', 'PF', 'PG',
  'PH', 'PK', 'PM', 'PS', 'QA', 'RE', 'RU', 'RW', 'SA', 'SD', 'SH', 'SI', 'SL', 'SN', 'SO', 'SS',
  'SV', 'SX', 'SY', 'TA', 'TD', 'TG', 'TJ', 'TK', 'TL', 'TM', 'TN', 'TZ', 'UA', 'UG', 'UZ', 'VC',
  'VN', 'VU', 'WS', 'XK', 'YE', 'YT', 'ZM', 'ZW',
];

/** Added to the SMS tier for voice: voice OTP is the costlier toll-fraud channel. */
export const VOICE_EXTRA_HIGH_RISK_COUNTRIES: readonly string[] = ['EE', 'LT', 'LV', 'MV'];
