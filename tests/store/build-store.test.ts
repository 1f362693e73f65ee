/** buildStore and the Upstash token check (issue 11): a token that cannot work is named, described by length only. */
import { parseDynamicPolicy } from '../../shared/config/dynamic-policy';
import { SecretError } from '../../shared/config/secret-error';
import { ConfigErrors } from '../../shared/config/static-policy';
import { buildStore, parseUpstashToken } from '../../shared/store/build-store';

const policy = parseDynamicPolicy({}, new ConfigErrors());

describe('UPSTASH_REDIS_REST_TOKEN', () => {
  test('an ordinary token is kept, trimmed', () => {
    expect(parseUpstashToken('  AYmXAAIjcDE5Zm9vYmFyYmF6cXV4  ')).toBe('AYmXAAIjcDE5Zm9vYmFyYmF6cXV4');
  });

  test.each([
    ['a pasted line break', 'AYmXAAIjcDE5Zm9v\nYmFyYmF6cXV4cXV1'],
    ['a space inside', 'AYmXAAIjcDE5Zm9v YmFyYmF6cXV4cXV1'],
    ['too short', 'short'],
    ['non-ASCII', 'AYmXAAIjcDE5Zm9vé'],
  ])('%s: a SecretError naming the secret, without the value', (_name, token) => {
    let error: unknown;
    try {
      parseUpstashToken(token);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(SecretError);
    const message = (error as SecretError).message;
    expect(message).toContain('secret UPSTASH_REDIS_REST_TOKEN is invalid');
    expect(message).toContain(`a value of ${token.trim().length} characters`);
    for (const part of token.split(/\s/)) if (part.length >= 4) expect(message).not.toContain(part);
  });

  test('buildStore reports the bad token as a config error and an unusable store', () => {
    const errors: SecretError[] = [];
    const store = buildStore({ UPSTASH_REDIS_REST_URL: 'https://eu1.example.upstash.io', UPSTASH_REDIS_REST_TOKEN: 'AYmXAAIjcDE5Zm9v\r\nYmFyYmF6cXV4cXV1' }, policy, errors);
    expect('problem' in store && store.problem).toContain('UPSTASH_REDIS_REST_TOKEN');
    expect(errors.map((error) => error.secret)).toEqual(['UPSTASH_REDIS_REST_TOKEN']);
    expect(errors[0]?.message).toContain('line break');
  });
});
