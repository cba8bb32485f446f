// A minimal HTTP/1.1 client on one keep-alive socket, for the Runtime API: requests go one
// at a time, in order; answers are read by Content-Length (or chunked, or to the end).
// Node's http module does the same with far more machinery per request (agents,
// ClientRequest and IncomingMessage streams): on the warm path, that was most of the
// runtime's CPU time per invocation.

import net from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;

/** Header values as Node's http module gives them: latin1, lower-case names, repeats
 * joined with ", ". */
function parseHead(text) {
  const lines = text.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!status) throw new Error(`Parse Error: bad status line ${JSON.stringify(lines[0].slice(0, 40))}`);
  const headers = {};
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0) continue;
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(status[1]), headers };
}

/** Decodes a chunked body from `buffer`: [body, bytes used], or undefined if incomplete. */
function dechunk(buffer) {
  const parts = [];
  let at = 0;
  for (;;) {
    const eol = buffer.indexOf('\r\n', at);
    if (eol < 0) return undefined;
    const size = parseInt(buffer.toString('latin1', at, eol), 16);
    if (Number.isNaN(size)) throw new Error('Parse Error: bad chunk size');
    if (size === 0) {
      // The blank line after the trailers: with none, it starts at this chunk's own CRLF.
      const end = buffer.indexOf(HEAD_END, eol);
      return end < 0 ? undefined : [Buffer.concat(parts), end + 4];
    }
    if (buffer.length < eol + 2 + size + 2) return undefined;
    parts.push(buffer.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

export class Http1Connection {
  constructor(hostname, port) {
    this.hostname = hostname;
    this.port = port;
    this.socket = null;
    this.buffer = Buffer.alloc(0);
    this.current = null; // {resolve, reject, head}
    this.queue = Promise.resolve();
  }

  /** Resolves to {status, headers, body: string}; requests wait for the one before. */
  request(method, path, headers, body) {
    const run = () => new Promise((resolve, reject) => this._send(method, path, headers, body, resolve, reject));
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  _connect() {
    const socket = net.connect({ host: this.hostname, port: this.port });
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this._received(chunk));
    // Once: 'error' is followed by 'close'; a socket given up on purpose is no longer ours.
    const lost = (error) => {
      if (this.socket !== socket) return;
      this.socket = null;
      const current = this.current;
      const rest = this.buffer;
      this.current = null;
      this.buffer = Buffer.alloc(0);
      if (current?.untilClose) current.resolve(this._finish(current, rest));
      else current?.reject(error ?? new Error('socket hang up'));
    };
    socket.on('error', (error) => lost(error));
    socket.on('close', () => lost(null));
    this.socket = socket;
    return socket;
  }

  _send(method, path, headers, body, resolve, reject) {
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.hostname}:${this.port}\r\n`;
    for (const [name, value] of Object.entries(headers ?? {})) head += `${name}: ${value}\r\n`;
    if (payload !== undefined) head += `Content-Length: ${payload.length}\r\n`;
    head += '\r\n';
    this.current = { resolve, reject, head: null, untilClose: false };
    const socket = this.socket ?? this._connect();
    socket.ref();
    const bytes = Buffer.from(head, 'latin1');
    socket.write(payload === undefined ? bytes : Buffer.concat([bytes, payload]));
  }

  _received(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const current = this.current;
    if (!current) return; // nothing asked: ignore what a server says unprompted
    try {
      if (!current.head) {
        const end = this.buffer.indexOf(HEAD_END);
        if (end < 0) {
          if (this.buffer.length > MAX_HEAD) throw new Error('Parse Error: header overflow');
          return;
        }
        current.head = parseHead(this.buffer.toString('latin1', 0, end));
        this.buffer = this.buffer.subarray(end + 4);
      }
      const { headers } = current.head;
      let body;
      let used;
      if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
        const decoded = dechunk(this.buffer);
        if (!decoded) return;
        [body, used] = decoded;
      } else if (headers['content-length'] !== undefined) {
        const length = Number(headers['content-length']);
        if (this.buffer.length < length) return;
        body = this.buffer.subarray(0, length);
        used = length;
      } else {
        current.untilClose = true; // the body is all that comes until the connection closes
        return;
      }
      this.buffer = this.buffer.subarray(used);
      this.current = null;
      if (headers.connection?.toLowerCase() === 'close') {
        this.socket?.destroy();
        this.socket = null;
      } else {
        // An idle connection must not keep the event loop alive: callback handlers answer
        // when it empties (as an agent's free sockets, which Node unrefs).
        this.socket?.unref();
      }
      current.resolve(this._finish(current, body));
    } catch (error) {
      this.current = null;
      this.socket?.destroy();
      this.socket = null;
      current.reject(error);
    }
  }

  _finish(current, body) {
    return { status: current.head.status, headers: current.head.headers, body: body.toString() };
  }
}
