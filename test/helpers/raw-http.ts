/**
 * Sends one HTTP/1.1 request over a plain TCP socket, with nock switched off for its duration,
 * and returns a fetch Response. nock's interceptor decompresses request bodies labelled
 * `Content-Encoding: gzip`/`br` on the client side (and throws on a plain one), so such requests
 * must bypass it to reach the server at all.
 */
import net from 'node:net';
import nock from 'nock';

export async function rawRequest(
  baseUrl: string,
  req: { method: string; path: string; headers?: Record<string, string>; body?: string | Uint8Array },
): Promise<Response> {
  const url = new URL(baseUrl);
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body);
  const headers = { host: url.host, connection: 'close', 'content-length': String(body.length), ...req.headers };
  const head = `${req.method} ${req.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  const active = nock.isActive();
  if (active) nock.restore();
  const data = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body])));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  }).finally(() => {
    if (active) nock.activate();
  });
  const split = data.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = data.subarray(0, split).toString('latin1').split('\r\n');
  const status = Number(statusLine!.split(' ')[1]);
  const resHeaders = new Headers(lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()] as [string, string]));
  let payload = data.subarray(split + 4);
  if (resHeaders.get('transfer-encoding') === 'chunked') payload = dechunk(payload);
  return new Response(status === 204 || status === 304 ? null : payload, { status, headers: resHeaders });
}

function dechunk(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; ) {
    const eol = buf.indexOf('\r\n', i);
    const size = parseInt(buf.subarray(i, eol).toString('latin1'), 16);
    if (!size) break;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
