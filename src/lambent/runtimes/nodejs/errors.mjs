// The error types the Node.js runtime reports, and the two shapes errors take on the way
// out: the Runtime API error document and the JSON-ish text appended to an ERROR log line.
//
// Behaviour follows AWS's Node.js runtime (aws-lambda-ric 3.x, Errors.js): the error
// document is {"errorType", "errorMessage", "trace"}, where trace is error.stack split into
// lines; anything thrown that is not an Error is reported as {errorType: typeof value,
// errorMessage: String(value), trace: []} (so `throw "boom"` gives errorType "string").

import { types } from 'node:util';

// AWS names its runtime errors "Runtime.<Class>" through the prototype, so the class name
// (which JSON logs report as errorType, via constructor.name) stays the bare one.
export class ImportModuleError extends Error {}
export class HandlerNotFound extends Error {}
export class MalformedHandlerName extends Error {}
export class UserCodeSyntaxError extends Error {}
export class MalformedStreamingHandler extends Error {}
export class InvalidStreamingOperation extends Error {}
export class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}

for (const cls of [
  ImportModuleError,
  HandlerNotFound,
  MalformedHandlerName,
  UserCodeSyntaxError,
  MalformedStreamingHandler,
  InvalidStreamingOperation,
  UnhandledPromiseRejection,
]) {
  cls.prototype.name = `Runtime.${cls.name}`;
}

// AWS replaces DEL characters (they would break the header that carries the error type).
const escapeDel = (text) => text?.replace(/\x7F/g, '%7F');

/** Duck-typed Error: something with string name, message and stack (AWS's test). */
function looksLikeError(value) {
  return Boolean(
    value &&
      value.name &&
      value.message &&
      value.stack &&
      typeof value.name === 'string' &&
      typeof value.message === 'string' &&
      typeof value.stack === 'string',
  );
}

/** The error document posted to /invocation/{id}/error and /init/error. */
export function errorDocument(error) {
  try {
    if (types.isNativeError(error) || looksLikeError(error)) {
      return {
        errorType: escapeDel(error.name),
        errorMessage: escapeDel(error.message),
        trace: escapeDel(error.stack).split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch {
    // AWS's fallback when reading name/message/stack (or toString) itself throws.
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

/** Whatever was thrown, as an Error (a string becomes the message of a plain Error). */
export function asError(value) {
  return value instanceof Error ? value : new Error(value);
}

// An Error rendered for the text log: type, message, code, its own enumerable properties
// and the stack as an array of lines (nested errors, e.g. a rejection's reason, alike).
function errorForLog(_key, value) {
  if (!(value instanceof Error)) return value;
  const rendered = Object.assign(
    { errorType: value.name, errorMessage: value.message, code: value.code },
    value,
  );
  if (typeof value.stack === 'string') rendered.stack = value.stack.split('\n');
  return rendered;
}

/** The tab-prefixed JSON that follows "Invoke Error" etc. on a text-format ERROR line. */
export function formatForTextLog(error) {
  try {
    return '\t' + JSON.stringify(error, errorForLog);
  } catch {
    return '\t' + JSON.stringify(errorDocument(error));
  }
}
