/** A secret holds a value tollguard cannot use. The message names the secret and the expected form. */
export class SecretError extends Error {
  constructor(
    readonly secret: string,
    readonly expected: string,
    readonly received: string,
  ) {
    super(`secret ${secret} is invalid: expected ${expected}, got ${describeValue(received)}`);
    this.name = 'SecretError';
  }
}

/** Shows enough of a bad value to fix it without echoing a long (possibly sensitive) string whole. */
function describeValue(value: string): string {
  if (value.length === 0) return 'an empty value';
  const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
  return JSON.stringify(shown);
}
