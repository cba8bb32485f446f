// Response streaming: handlers wrapped with awslambda.streamifyResponse receive a writable
// response stream instead of returning a value ("Response streaming for Lambda functions"
// in the Lambda guide; aws-lambda-ric 3.x, ResponseStream.js and HttpResponseStream.js).
//
// The stream is one chunked POST to /invocation/{id}/response with
// "Lambda-Runtime-Function-Response-Mode: streaming"; a failure part-way is reported in the
// trailers Lambda-Runtime-Function-Error-Type and Lambda-Runtime-Function-Error-Body
// (the error document, base64).

import { completeContext } from './context.mjs';
import { errorDocument, InvalidStreamingOperation, MalformedStreamingHandler } from './errors.mjs';

const STREAMING_MARK = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const RESPONSE = 'response';
const ERROR_TYPE = 'Lambda-Runtime-Function-Error-Type';
const ERROR_BODY = 'Lambda-Runtime-Function-Error-Body';
const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';

/** awslambda.streamifyResponse(handler, {highWaterMark}) */
export function streamifyResponse(handler, options) {
  handler[STREAMING_MARK] = RESPONSE;
  if (typeof options?.highWaterMark === 'number') {
    handler[HIGH_WATER_MARK] = parseInt(options.highWaterMark);
  }
  return handler;
}

/** Whether a loaded handler streams its response (AWS supports only "response"). */
export function isStreaming(handler) {
  const mark = handler[STREAMING_MARK];
  if (mark === undefined || mark === null || mark === false) return false;
  if (mark === RESPONSE) return true;
  throw new MalformedStreamingHandler('Only response streaming is supported.');
}

/** awslambda.HttpResponseStream.from(stream, {statusCode, headers, cookies}): for function
 * URLs, a JSON prelude and eight NUL bytes go before the body. */
export class HttpResponseStream {
  static from(stream, prelude) {
    stream.setContentType(HTTP_INTEGRATION);
    stream._onBeforeFirstWrite = (write) => {
      write(JSON.stringify(prelude));
      write(new Uint8Array(8));
    };
    return stream;
  }
}

/**
 * Open the streamed response of one invocation: returns {stream, fail, done}, where
 * `stream` is the writable handed to the handler, `fail(error)` ends it with the error
 * trailers, and `done` settles when the Runtime API has answered the POST.
 */
export function openResponseStream(client, requestId) {
  const request = client.openStream(requestId, {
    'Lambda-Runtime-Function-Response-Mode': 'streaming',
    'Transfer-Encoding': 'chunked',
    Trailer: `${ERROR_TYPE}, ${ERROR_BODY}`,
    'Content-Type': 'application/octet-stream',
  });
  let written = false;
  const done = new Promise((resolve, reject) => {
    request.on('response', (response) => {
      response.resume();
      response.on('end', resolve);
      response.on('aborted', reject);
    });
    request.on('error', reject);
  });
  // The handler may not await `done`; its failure is reported through the handler instead.
  done.catch(() => {});

  const write = request.write.bind(request);
  request.setContentType = (contentType) => {
    if (written) throw new InvalidStreamingOperation('Cannot set content-type, too late.');
    request.setHeader('Content-Type', contentType);
  };
  request.write = (chunk, encoding, callback) => {
    if (typeof chunk !== 'string' && !Buffer.isBuffer(chunk) && !(chunk instanceof Uint8Array)) {
      chunk = JSON.stringify(chunk);
    }
    if (!written) {
      written = true;
      if (typeof request._onBeforeFirstWrite === 'function') {
        request._onBeforeFirstWrite((prefix) => write(prefix));
      }
    }
    return write(chunk, encoding, callback);
  };
  // A last chunk given to end() goes through write() too, so the prelude comes first.
  const end = request.end.bind(request);
  request.end = (chunk, encoding, callback) => {
    if (typeof chunk === 'function') return end(chunk);
    if (typeof encoding === 'function') [encoding, callback] = [undefined, encoding];
    if (chunk !== undefined && chunk !== null) request.write(chunk, encoding);
    return end(callback);
  };
  const fail = (error) =>
    new Promise((resolve) => {
      if (request.writableEnded || request.destroyed) {
        resolve();
        return;
      }
      const document = errorDocument(error);
      request.addTrailers({
        [ERROR_TYPE]: document.errorType,
        [ERROR_BODY]: Buffer.from(JSON.stringify(document)).toString('base64'),
      });
      request.once('close', resolve);
      request.end(resolve);
    });
  return { stream: request, fail, done };
}

const isThenable = (value) => value && typeof value.then === 'function';

/**
 * Run a streaming handler, handler(event, responseStream, context), for invocation
 * `requestId`. It must be async; the next invocation is fetched once the stream is done
 * (and, unless callbackWaitsForEmptyEventLoop is false, once the event loop is empty).
 */
export async function invokeStreaming(runtime, requestId, headers, body) {
  let waitForEmptyLoop = true;
  const base = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyLoop = value;
    },
  };
  const { stream, fail, done } = openResponseStream(runtime.client, requestId);
  const next = () => {
    runtime.onEmptyLoop(null);
    if (waitForEmptyLoop) runtime.onEmptyLoop(() => setImmediate(() => runtime.scheduleNext()));
    else runtime.scheduleNext();
  };
  const failThenNext = async (error) => {
    runtime.logError('Invoke Error', error);
    await fail(error);
    next();
  };

  // Should the handler leave the event loop empty without finishing, move on (as AWS).
  runtime.onEmptyLoop(() => runtime.scheduleNext());
  try {
    const context = completeContext(base, headers);
    const result = runtime.handler(JSON.parse(body), stream, context);
    if (!isThenable(result)) {
      await failThenNext('Streaming does not support non-async handlers.');
      return;
    }
    if ((await result) !== undefined) console.warn('Streaming handlers ignore return values.');
    await done;
    if (!stream.writableFinished) {
      await failThenNext('Response stream is not finished.');
      return;
    }
    next();
  } catch (error) {
    await failThenNext(error);
  }
}
