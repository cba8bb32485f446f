// The runtime's side of the Lambda Runtime API (2018-06-01): one keep-alive connection,
// reused for every call, so a warm invocation costs two requests on an open socket.

import http from 'node:http';
import { Http1Connection } from './http1.mjs';

const BASE = '/2018-06-01/runtime';
const ERROR_TYPE = 'Lambda-Runtime-Function-Error-Type';

// Characters Node refuses in a header value; an odd error name must not break reporting.
const INVALID_HEADER_CHARS = /[^\t\x20-\x7e\x80-\xff]/g;

export class RuntimeApiClient {
  /** @param {string} address host:port, the value of AWS_LAMBDA_RUNTIME_API */
  constructor(address) {
    const colon = address.lastIndexOf(':');
    this.hostname = address.slice(0, colon);
    this.port = Number(address.slice(colon + 1));
    // One socket: the Runtime API serves one runtime, one request at a time.
    this.connection = new Http1Connection(this.hostname, this.port);
    // Streamed responses (chunked, with trailers) go through Node's own client.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  /** GET /invocation/next: resolves to {body: string, headers: object (lower-case keys)}. */
  next() {
    return this._request('GET', `${BASE}/invocation/next`, undefined, undefined);
  }

  /** POST /invocation/{id}/response with a JSON text body. */
  postResponse(requestId, body) {
    return this._request(
      'POST',
      `${BASE}/invocation/${encodeURIComponent(requestId)}/response`,
      body,
      { 'Content-Type': 'application/json' },
    );
  }

  /** POST /invocation/{id}/error with an error document. */
  postError(requestId, document) {
    return this._postErrorTo(
      `${BASE}/invocation/${encodeURIComponent(requestId)}/error`,
      document,
    );
  }

  /** POST /init/error with an error document. */
  postInitError(document) {
    return this._postErrorTo(`${BASE}/init/error`, document);
  }

  _postErrorTo(path, document) {
    const headers = { 'Content-Type': 'application/json' };
    if (typeof document.errorType === 'string') {
      headers[ERROR_TYPE] = document.errorType.replace(INVALID_HEADER_CHARS, '');
    }
    return this._request('POST', path, JSON.stringify(document), headers);
  }

  /** The underlying request for streamed responses (see streaming.mjs). */
  openStream(requestId, headers) {
    return http.request({
      agent: this.agent,
      hostname: this.hostname,
      port: this.port,
      method: 'POST',
      path: `${BASE}/invocation/${encodeURIComponent(requestId)}/response`,
      headers,
    });
  }

  _request(method, path, body, headers) {
    return this.connection.request(method, path, headers, body);
  }
}
