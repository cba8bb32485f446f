// The context object a handler receives, built from the invocation's headers and the
// environment ("Using the Lambda context object to retrieve Node.js function information"
// in the Lambda guide; aws-lambda-ric 3.x, InvokeContext.js). Property order follows AWS's,
// so JSON.stringify(context) prints alike.

const HEADER = {
  requestId: 'lambda-runtime-aws-request-id',
  deadline: 'lambda-runtime-deadline-ms',
  functionArn: 'lambda-runtime-invoked-function-arn',
  traceId: 'lambda-runtime-trace-id',
  clientContext: 'lambda-runtime-client-context',
  identity: 'lambda-runtime-cognito-identity',
  tenantId: 'lambda-runtime-aws-tenant-id',
};

export const requestIdOf = (headers) => headers[HEADER.requestId];
export const tenantIdOf = (headers) => headers[HEADER.tenantId];

function parseHeader(value, name) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new Error(`Cannot parse ${name} as json: ${error.toString()}`);
  }
}

/**
 * Add the invocation's data to `base` (the object holding callbackWaitsForEmptyEventLoop
 * and the legacy succeed/fail/done), set _X_AMZN_TRACE_ID for the X-Ray SDK, and return it.
 * Throws when the client-context or identity header is not JSON, as AWS does.
 */
export function completeContext(base, headers, env = process.env) {
  const traceId = headers[HEADER.traceId];
  if (traceId) env._X_AMZN_TRACE_ID = traceId;
  else delete env._X_AMZN_TRACE_ID;
  const deadline = Number(headers[HEADER.deadline]);
  return Object.assign(base, {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    // A string, as AWS gives it (it is read from the environment).
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseHeader(headers[HEADER.clientContext], 'ClientContext'),
    identity: parseHeader(headers[HEADER.identity], 'CognitoIdentity'),
    invokedFunctionArn: headers[HEADER.functionArn],
    awsRequestId: headers[HEADER.requestId],
    tenantId: headers[HEADER.tenantId],
    getRemainingTimeInMillis: () => deadline - Date.now(),
  });
}
