/** CAPTCHA verification never follows a redirect (issue 11): an 'error' verdict saying so, the other server never hit. */
import { verifyCaptcha } from '../../shared/captcha/verify';
import type { CaptchaConfig } from '../../shared/captcha/types';
import { startRecorder, startRedirector } from '../bundle/redirect-helpers';

test.each([302, 307, 308])('a %i from CAPTCHA_VERIFY_URL is an error verdict naming the secret; the token and secret go nowhere else', async (status) => {
  const elsewhere = await startRecorder({ success: true, score: 0.9 });
  const redirector = await startRedirector(elsewhere.url, status);
  try {
    const config: CaptchaConfig = {
      provider: 'turnstile',
      secret: 'turnstile-secret-0123456789',
      siteKey: undefined,
      projectId: undefined,
      verifyUrl: `${redirector.url}/siteverify`,
      timeoutMs: 2000,
      minScore: 0.5,
      expectedHostnames: [],
      expectedAction: undefined,
    };
    const verdict = await verifyCaptcha('token-abcdef-123456', '203.0.113.7', config);
    expect(verdict.outcome).toBe('error');
    expect(verdict.reason).toBe(`turnstile answered HTTP ${status}, a redirect, which is not followed (check CAPTCHA_VERIFY_URL)`);
    expect(redirector.hits).toHaveLength(1);
    expect(elsewhere.hits).toEqual([]);
  } finally {
    await redirector.close();
    await elsewhere.close();
  }
});
