/** A secret holds a value tollguard cannot use. The message names the secret and the expected form. */
export class SecretError extends Error {
  /** The bad value, shortened: the full value may be long or sensitive. */
  readonly received: string;

  constructor(
    readonly secret: string,
    readonly expected: string,
    received: string,
    /** What tollguard does instead until the secret is fixed, when that is not simply the default. */
    consequence?: string,
  ) {
    const shown = describeValue(received);
    super(`secret ${secret} is invalid: expected ${expected}, got ${shown}${consequence === undefined ? '' : `; ${consequence}`}`);
    this.name = 'SecretError';
    this.received = shown;
  }
}

/**
 * Some items of a list secret are bad: the error names them, and `valid` holds the good ones,
 * which are used. A typo in one entry must not drop a whole block list or allow-list.
 */
export class PartialListError<T> extends SecretError {
  constructor(secret: string, expected: string, readonly badItems: string[], readonly valid: T[], consequence?: string) {
    super(secret, expected, badItems.join(', '), consequence);
  }

  /** The same error, saying what tollguard does instead of using the other items. */
  withConsequence(consequence: string): PartialListError<T> {
    return new PartialListError(this.secret, this.expected.replace(PartialListError.KEPT, ''), this.badItems, this.valid, consequence);
  }

  /** How parseList says the good items are used. */
  static readonly KEPT = ' (the other items are used)';
}

/** Shows enough of a bad value to fix it without echoing a long (possibly sensitive) string whole. */
function describeValue(value: string): string {
  if (value.length === 0) return 'an empty value';
  const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
  return JSON.stringify(shown);
}
