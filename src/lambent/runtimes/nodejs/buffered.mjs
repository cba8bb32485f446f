// One buffered (non-streaming) invocation: the handler's three ways of answering and when
// each answer is sent, as AWS's Node.js runtime does it (aws-lambda-ric 3.x, Runtime.js
// and CallbackContext.js; "Define Lambda function handler in Node.js" in the guide):
//
// - an async handler (a returned promise): its value, or its rejection, is sent as soon
//   as it settles;
// - callback(error, result): an error is sent at once; a result is sent once the event
//   loop is empty, unless context.callbackWaitsForEmptyEventLoop was set to false;
// - context.succeed/fail/done (legacy): sent at once;
// - none of these, and the event loop empties: the response is null.
// Only the first of these calls counts; a thrown exception is an error response.

import { completeContext } from './context.mjs';

const ALREADY_DONE =
  'Invocation has already been reported as done. Cannot call complete more than once per invocation.';

const isThenable = (value) => value && typeof value.then === 'function';

/**
 * Run the handler for invocation `requestId`. `runtime` provides handler(event, context,
 * callback), respond(requestId, result) and fail(requestId, error), which send the outcome
 * and then fetch the next invocation, and onEmptyLoop(listener).
 */
export function invokeBuffered(runtime, requestId, headers, body) {
  let reported = false;
  let answered = false;
  let waitForEmptyLoop = true;

  const complete = (result) => {
    if (reported) {
      console.error(ALREADY_DONE);
      return;
    }
    reported = true;
    runtime.respond(requestId, result);
  };
  const fail = (error) => runtime.fail(requestId, error);
  const done = (error, result) => {
    runtime.onEmptyLoop(null);
    if (error !== undefined && error !== null) fail(error);
    else complete(result);
  };
  const callback = (error, result) => {
    runtime.onEmptyLoop(null);
    if (error !== undefined && error !== null) fail(error);
    else if (!waitForEmptyLoop) complete(result);
    else runtime.onEmptyLoop(() => setImmediate(() => complete(result)));
  };
  // Only the first answer counts. It is marked after the call: a call that threw (an
  // unserialisable result) leaves room for the error that follows it.
  const first =
    (answer) =>
    (...args) => {
      if (answered) return;
      answer(...args);
      answered = true;
    };

  const base = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyLoop = value;
    },
    succeed: first((result) => done(null, result)),
    // fail() with nothing to report still fails, with the string "handled".
    fail: first((error) => (error === undefined || error === null ? done('handled') : done(error, null))),
    done: first(done),
  };
  const answer = first(callback);

  // With no answer at all, the invocation ends when the event loop is empty.
  runtime.onEmptyLoop(() => {
    reported = true;
    runtime.respond(requestId, null);
  });
  try {
    const result = runtime.handler(JSON.parse(body), completeContext(base, headers), answer);
    if (isThenable(result)) result.then(base.succeed, base.fail).catch(base.fail);
  } catch (error) {
    answer(error);
  }
}
