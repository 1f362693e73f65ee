/**
 * Two local HTTP servers for redirect tests: a recorder that notes every request it receives
 * (method, path, headers, body) and answers 200 with a JSON body, and a redirector that answers
 * every request with a redirect (307 by default, so a client that follows it re-sends the body)
 * to the recorder. A client that never follows redirects leaves the recorder untouched.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedHit {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface LocalServer {
  readonly url: string;
  readonly hits: RecordedHit[];
  close(): Promise<void>;
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 200;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function closer(server: http.Server): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
}

/** Records every request; answers 200 with `body` (JSON). */
export async function startRecorder(body: unknown = { result: [] }): Promise<LocalServer> {
  const hits: RecordedHit[] = [];
  const { server, url } = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  return { url, hits, close: closer(server) };
}

/** Answers every request with `status` and Location: `target` + the request's path. */
export async function startRedirector(target: string, status = 307): Promise<LocalServer> {
  const hits: RecordedHit[] = [];
  const { server, url } = await listen((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: '' });
      res.writeHead(status, { location: `${target}${req.url ?? '/'}`, 'content-type': 'text/plain' });
      res.end('moved');
    });
  });
  return { url, hits, close: closer(server) };
}

/** Accepts connections and requests but never answers (a stalled webhook). */
export async function startSilentServer(): Promise<LocalServer> {
  const hits: RecordedHit[] = [];
  const { server, url } = await listen((req) => {
    hits.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: '' });
    req.resume();
  });
  return { url, hits, close: closer(server) };
}
