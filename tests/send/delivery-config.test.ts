import { endpointsFor, parseDeliveryConfig } from '../../shared/config/delivery-config';
import { ConfigErrors } from '../../shared/config/static-policy';

test('a regional Twilio host implies the matching Verify and Lookup hosts', () => {
  expect(endpointsFor('https://api.dublin.ie1.twilio.com')).toEqual({
    api: 'https://api.dublin.ie1.twilio.com',
    verify: 'https://verify.dublin.ie1.twilio.com',
    lookups: 'https://lookups.dublin.ie1.twilio.com',
  });
});

test('any other origin serves all three APIs', () => {
  expect(endpointsFor('http://127.0.0.1:4010')).toEqual({ api: 'http://127.0.0.1:4010', verify: 'http://127.0.0.1:4010', lookups: 'http://127.0.0.1:4010' });
  expect(endpointsFor('https://twilio-proxy.example.com/base')).toEqual({
    api: 'https://twilio-proxy.example.com/base', verify: 'https://twilio-proxy.example.com/base', lookups: 'https://twilio-proxy.example.com/base',
  });
});

test('a credential pasted into a SID field is described by its length, never echoed', () => {
  const token = 'f00dfacecafebeef0123456789abcdef';
  const config = parseDeliveryConfig({ TWILIO_ACCOUNT_SID: token, TWILIO_AUTH_TOKEN: token, TWILIO_FROM_NUMBER: '+15005550006' }, new ConfigErrors());
  expect(config.kind).toBe('unusable');
  const problems = config.kind === 'unusable' ? config.problems.join('\n') : '';
  expect(problems).toContain('TWILIO_ACCOUNT_SID');
  expect(problems).toContain('32 characters');
  expect(problems).not.toContain(token.slice(0, 8));
});
