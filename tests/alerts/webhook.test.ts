/** The alert webhook sender against local servers (issue 11): user-info, redirects, stalls; never the URL in a message. */
import { splitUserInfo, webhookAlertSender } from '../../shared/alerts/webhook';
import { startRecorder, startRedirector, startSilentServer, type LocalServer } from '../bundle/redirect-helpers';

const INCIDENT = { summary: 'pumping suspected on range +44740012', trigger: 'send-phone-message', tenant: 't', at: Date.UTC(2031, 0, 1) };

describe('webhookAlertSender', () => {
  const servers: LocalServer[] = [];
  afterEach(async () => {
    for (let server = servers.pop(); server; server = servers.pop()) await server.close();
  });
  const start = async (started: Promise<LocalServer>) => {
    const server = await started;
    servers.push(server);
    return server;
  };

  test('user-info in the URL becomes a Basic Authorization header and leaves the URL', async () => {
    const hook = await start(startRecorder({ ok: true }));
    const url = hook.url.replace('http://127.0.0.1', 'http://alerts:p%40ss-Word-42@LOCALHOST') + '/hook?x=1';
    const problem = await webhookAlertSender(url)(INCIDENT);
    expect(problem).toBeUndefined();
    expect(hook.hits).toHaveLength(1);
    expect(hook.hits[0]?.path).toBe('/hook?x=1');
    expect(hook.hits[0]?.headers['authorization']).toBe(`Basic ${Buffer.from('alerts:p@ss-Word-42').toString('base64')}`);
    expect(JSON.parse(hook.hits[0]?.body ?? '{}')).toMatchObject({ tollguard: { summary: INCIDENT.summary } });
  });

  test('splitUserInfo keeps URLs without user-info as they are', () => {
    expect(splitUserInfo('https://hooks.example.com/a?b=c')).toEqual({ url: 'https://hooks.example.com/a?b=c', headers: {} });
  });

  test.each([301, 302, 307, 308])('a %i is not followed: a clear problem, the other server is never hit', async (status) => {
    const elsewhere = await start(startRecorder());
    const redirector = await start(startRedirector(elsewhere.url, status));
    const problem = await webhookAlertSender(`${redirector.url}/hook`)(INCIDENT);
    expect(problem).toBe(`alert webhook answered HTTP ${status}, a redirect, which is not followed (check ALERT_WEBHOOK_URL)`);
    expect(elsewhere.hits).toEqual([]);
  });

  test('a server that never answers ends at the sender\'s own timeout, and the problem does not quote the URL', async () => {
    const silent = await start(startSilentServer());
    const url = `${silent.url}/hook/SECRET-PATH-KEY`;
    const problem = await webhookAlertSender(url, 100)(INCIDENT);
    expect(problem).toBe('alert webhook failed: no answer within 100 ms');
  });

  test('a refused connection names the error code only', async () => {
    const gone = await startRecorder();
    await gone.close();
    const problem = await webhookAlertSender(gone.url.replace('http://', 'http://alerts:pw-123456@') + '/hook/SECRET')(INCIDENT);
    expect(problem).toBe('alert webhook failed: ECONNREFUSED');
  });
});
