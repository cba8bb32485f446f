// The invocation loop: fetch the next invocation, run the handler, send its outcome, and
// again; and what happens when function code crashes the process (aws-lambda-ric 3.x,
// Runtime.js and index.mjs).

import { invokeBuffered } from './buffered.mjs';
import { requestIdOf, tenantIdOf } from './context.mjs';
import { errorDocument, UnhandledPromiseRejection } from './errors.mjs';
import { setLoggingContext } from './logging.mjs';
import { invokeStreaming, isStreaming } from './streaming.mjs';

// The exit codes of AWS's runtime after it reported a crash.
const EXIT_UNCAUGHT_EXCEPTION = 129;
const EXIT_UNHANDLED_REJECTION = 128;

/** The response body: JSON, with undefined sent as null (as AWS does). */
function serialize(result) {
  let text;
  try {
    text = JSON.stringify(result === undefined ? null : result);
  } catch {
    throw new Error('Unable to stringify response body');
  }
  // A function or symbol has no JSON text; AWS's native client refuses it with this error.
  if (typeof text !== 'string') throw new TypeError('Wrong arguments');
  return text;
}

export class Runtime {
  /**
   * @param {import('./rapid.mjs').RuntimeApiClient} client
   * @param {(label: string, error: unknown) => void} logError from patchConsole()
   */
  constructor(client, logError) {
    this.client = client;
    this.logError = logError;
    // Called as this.handler(...), so stack traces read "at Runtime.handler", as on AWS.
    this.handler = undefined;
    this.streaming = false;
    // The invocation under way; undefined during init, when crashes are init errors.
    this.requestId = undefined;
    this.emptyLoopListener = null;
  }

  /** Report crashes of function code (during init or an invocation), then exit. */
  installCrashHandlers() {
    process.on('uncaughtException', (error) => this.crash(error));
    process.on('unhandledRejection', (reason, promise) => {
      const error = new UnhandledPromiseRejection(reason, promise);
      this.logError('Unhandled Promise Rejection', error);
      this.reportThenExit(error, EXIT_UNHANDLED_REJECTION);
    });
    // 'beforeExit' is Node's "the event loop is empty": callback handlers finish there.
    process.on('beforeExit', () => {
      const listener = this.emptyLoopListener;
      this.emptyLoopListener = null;
      listener?.();
    });
  }

  /** An uncaught exception (or a handler that failed to load): report it and exit. */
  crash(error) {
    this.logError('Uncaught Exception', error);
    this.reportThenExit(error, EXIT_UNCAUGHT_EXCEPTION);
  }

  reportThenExit(error, code) {
    const document = errorDocument(error);
    const report =
      this.requestId === undefined
        ? this.client.postInitError(document)
        : this.client.postError(this.requestId, document);
    report.finally(() => process.exit(code)).catch(() => {});
  }

  /** Start serving invocations with `handler`. */
  start(handler) {
    this.handler = handler;
    this.streaming = isStreaming(handler);
    this.scheduleNext();
  }

  onEmptyLoop(listener) {
    this.emptyLoopListener = listener;
  }

  scheduleNext() {
    setImmediate(() => this.next().catch((error) => this.failedBadly(error)));
  }

  async next() {
    const { status, headers, body } = await this.client.next();
    if (status !== 200) throw new Error(`Failed to get next invocation, status ${status}`);
    const requestId = requestIdOf(headers);
    if (!requestId) throw new Error('invocation id is missing or invalid');
    this.requestId = requestId;
    setLoggingContext(requestId, tenantIdOf(headers));
    if (this.streaming) await invokeStreaming(this, requestId, headers, body);
    else invokeBuffered(this, requestId, headers, body);
  }

  /** Send a result (serialised now: a failure throws to the caller), then go on. */
  respond(requestId, result) {
    const body = serialize(result);
    this.client.postResponse(requestId, body).then(
      () => this.scheduleNext(),
      (error) => this.failedBadly(error),
    );
  }

  /** Log and send a function error, then go on. */
  fail(requestId, error) {
    this.logError('Invoke Error', error);
    this.client.postError(requestId, errorDocument(error)).then(
      () => this.scheduleNext(),
      (error) => this.failedBadly(error),
    );
  }

  /** The runtime itself failed (e.g. the Runtime API went away): say so and exit. */
  failedBadly(error) {
    console.log(`Unexpected Top Level Error: ${error.toString()}`);
    this.reportThenExit(error, EXIT_UNCAUGHT_EXCEPTION);
  }
}
