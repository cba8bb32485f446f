// console.* as AWS's Node.js runtime patches it: every call is one log record on stdout.
//
// Text format (default):  TIMESTAMP\tREQUEST_ID\tLEVEL\tmessage
// JSON format (AWS_LAMBDA_LOG_FORMAT=JSON):
//   {"timestamp", "level", "requestId", ["tenantId",] "message", [errorType, errorMessage,
//    stackTrace]}
// A record is always one line: newlines inside it become carriage returns, as AWS does.
// AWS_LAMBDA_LOG_LEVEL (TRACE < DEBUG < INFO < WARN < ERROR < FATAL) silences the levels
// below it; console.log is console.info; console.fatal is added. Behaviour follows
// aws-lambda-ric 3.x (LogPatch.js) and the "Node.js logging" page of the Lambda guide.

import { format } from 'node:util';
import { asError, formatForTextLog } from './errors.mjs';

// Kept on globalThis under AWS's symbols, so code that reads them (as AWS's does) agrees.
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');
const TENANT_ID = Symbol.for('aws.lambda.runtime.tenantId');

export function setLoggingContext(requestId, tenantId) {
  globalThis[REQUEST_ID] = requestId;
  globalThis[TENANT_ID] = tenantId;
}

const LEVELS = Object.freeze({
  TRACE: 1,
  DEBUG: 2,
  INFO: 3,
  WARN: 4,
  ERROR: 5,
  FATAL: 6,
});

function writeLine(line) {
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
}

function textRecord(level, message, params) {
  const time = new Date().toISOString();
  return `${time}\t${globalThis[REQUEST_ID]}\t${level}\t${format(message, ...params)}`;
}

// A lone Error logged in JSON format becomes an object with its type (the constructor's
// name, as AWS reports it), message, stack lines and own enumerable properties.
function errorAsJson(_key, value) {
  if (!(value instanceof Error)) return value;
  return Object.assign(
    {
      errorType: value?.constructor?.name ?? 'UnknownError',
      errorMessage: value.message,
      stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
    },
    value,
  );
}

function jsonRecord(level, message, params) {
  const record = {
    timestamp: new Date().toISOString(),
    level,
    requestId: globalThis[REQUEST_ID],
  };
  const tenantId = globalThis[TENANT_ID];
  if (tenantId !== undefined && tenantId !== null) record.tenantId = tenantId;
  if (params.length === 0) {
    // One argument keeps its structure: an object is logged as JSON, not as a string.
    record.message = message;
    try {
      return JSON.stringify(record, errorAsJson);
    } catch {
      record.message = format(record.message);
      return JSON.stringify(record);
    }
  }
  const all = [message, ...params];
  record.message = format(...all);
  const error = all.find((value) => value instanceof Error);
  if (error) {
    record.errorType = error?.constructor?.name ?? 'UnknownError';
    record.errorMessage = error.message;
    record.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  return JSON.stringify(record);
}

/**
 * Replace console's level methods; returns `logError(label, error)`, which the runtime uses
 * to log "Invoke Error", "Uncaught Exception" and "Unhandled Promise Rejection" the way the
 * chosen format does.
 */
export function patchConsole(env = process.env) {
  const json = env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON';
  const record = json ? jsonRecord : textRecord;
  const threshold = LEVELS[env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase()] ?? LEVELS.TRACE;
  const silent = () => {};
  const writer = (level) =>
    LEVELS[level] >= threshold
      ? (message, ...params) => writeLine(record(level, message, params))
      : silent;

  console.trace = writer('TRACE');
  console.debug = writer('DEBUG');
  console.info = writer('INFO');
  console.log = console.info;
  console.warn = writer('WARN');
  console.error = writer('ERROR');
  // AWS's FATAL is never filtered out.
  console.fatal = (message, ...params) => writeLine(record('FATAL', message, params));

  return json
    ? (_label, error) => console.error(asError(error))
    : (label, error) => console.error(label, formatForTextLog(asError(error)));
}
