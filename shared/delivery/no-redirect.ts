/**
 * Outgoing requests never follow a redirect: a 307 from a misconfigured or hostile base URL would
 * re-post the recipient, the OTP code or a token to another origin. Every fetch passes
 * `redirect: 'manual'` and turns a 3xx into a clear error that never quotes the Location header
 * (it may carry anything).
 */
export const NO_REDIRECT = 'manual' as const;

/** The problem when `response` is a redirect (undici answers the 3xx itself; browsers an opaqueredirect), else undefined. */
export function redirectProblem(response: Response, who: string, secret: string): string | undefined {
  const redirected = response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400);
  if (!redirected) return undefined;
  return `${who} answered HTTP ${response.status || 'redirect'}, a redirect, which is not followed (check ${secret})`;
}

/** Releases a response body that will not be read, so the connection is freed. */
export async function discardBody(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Nothing to release.
  }
}
