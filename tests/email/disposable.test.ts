/**
 * shared/email/disposable.ts: the disposable-domain list, looked up by domain, registrable domain
 * and parents, with the package's Set built once per container rather than once per call.
 */
import * as disposablePackage from 'disposable-email-domains-js';
import { isDisposableDomain } from '../../shared/email/disposable';

describe('isDisposableDomain', () => {
  test('a listed domain and any subdomain of it are disposable, in any case', () => {
    expect(isDisposableDomain('mailinator.com')).toBe(true);
    expect(isDisposableDomain('inbox.mailinator.com')).toBe(true);
    expect(isDisposableDomain('a.b.mailinator.com')).toBe(true);
    expect(isDisposableDomain('MAILINATOR.COM')).toBe(true);
    expect(isDisposableDomain(' mailinator.com. ')).toBe(true);
  });

  test('listed domains under multi-part suffixes, and their subdomains', () => {
    expect(isDisposableDomain('10minutemail.co.uk')).toBe(true);
    expect(isDisposableDomain('x.10minutemail.co.uk')).toBe(true);
  });

  test('big providers and public suffixes are not disposable', () => {
    for (const domain of ['gmail.com', 'outlook.com', 'yahoo.com', 'example.co.uk', 'co.uk', 'com', 'mail.ru', 'bücher.de']) {
      expect(isDisposableDomain(domain)).toBe(false);
    }
  });

  test('a parent that is only a hosting suffix of listed subdomains is not disposable itself', () => {
    // 0-mailer.dynv6.net is listed; dynv6.net (a dynamic-DNS provider) and its other hosts are not.
    expect(isDisposableDomain('0-mailer.dynv6.net')).toBe(true);
    expect(isDisposableDomain('dynv6.net')).toBe(false);
    expect(isDisposableDomain('my-home.dynv6.net')).toBe(false);
  });

  test('garbage is not disposable and does not throw', () => {
    for (const domain of ['', ' ', '.', '..', '[1.2.3.4]', '\u0000', 'xn--', '\uD800.com']) {
      expect(isDisposableDomain(domain)).toBe(false);
    }
  });

  test('every domain of the package list is disposable, through this wrapper too', () => {
    const list = disposablePackage.disposableEmailBlocklist();
    expect(list.length).toBeGreaterThan(5000);
    for (const domain of list) expect(isDisposableDomain(domain)).toBe(true);
  });
});

describe('the blocklist Set', () => {
  test('is built lazily, once per module instance, however many look-ups follow', () => {
    jest.isolateModules(() => {
      const actual = jest.requireActual<typeof disposablePackage>('disposable-email-domains-js');
      const build = jest.fn(actual.disposableEmailBlocklistSet);
      const perCall = jest.fn(actual.isDisposableEmailDomain);
      jest.doMock('disposable-email-domains-js', () => ({ ...actual, disposableEmailBlocklistSet: build, isDisposableEmailDomain: perCall }));
      const fresh = require('../../shared/email/disposable') as typeof import('../../shared/email/disposable');

      expect(build).not.toHaveBeenCalled(); // nothing is built at load time
      for (let index = 0; index < 200; index += 1) {
        fresh.isDisposableDomain(`user${index}.example.com`);
        fresh.isDisposableDomain('sub.mailinator.com');
      }
      expect(fresh.isDisposableDomain('mailinator.com')).toBe(true);
      expect(build).toHaveBeenCalledTimes(1);
      // The package's own per-call helper (which builds a new Set every time) is never used.
      expect(perCall).not.toHaveBeenCalled();
      jest.dontMock('disposable-email-domains-js');
    });
  });
});
