// Lambent's Node.js runtime: a Lambda Runtime API client for Node.js functions, playing
// the part of AWS's /var/runtime/index.mjs (the aws-lambda-ric package).
//
//   node index.mjs [HANDLER]
//
// Environment: AWS_LAMBDA_RUNTIME_API (host:port of the Runtime API), _HANDLER (used when
// no HANDLER argument is given), LAMBDA_TASK_ROOT (the function's code, default: the
// working directory), AWS_LAMBDA_LOG_FORMAT / AWS_LAMBDA_LOG_LEVEL (logging), and the
// AWS_LAMBDA_FUNCTION_* variables the context object reports; LAMBENT_SPARE_CHANNEL in a
// spare environment (spare.mjs).

import { loadHandler } from './loader.mjs';
import { patchConsole } from './logging.mjs';
import { RuntimeApiClient } from './rapid.mjs';
import { Runtime } from './runtime.mjs';
import { waitForFunction } from './spare.mjs';

const env = process.env;
waitForFunction(env); // a spare environment's runtime waits here for its function
if (!env.AWS_LAMBDA_RUNTIME_API) {
  process.stderr.write('AWS_LAMBDA_RUNTIME_API is not set: nothing to serve\n');
  process.exit(1);
}

const runtime = new Runtime(new RuntimeApiClient(env.AWS_LAMBDA_RUNTIME_API), patchConsole(env));
runtime.installCrashHandlers();

// Init: load the function's code. Any failure is an init error; AWS's runtime reports it
// to /init/error like any uncaught exception and exits.
try {
  const handler = await loadHandler(
    env.LAMBDA_TASK_ROOT || process.cwd(),
    process.argv[2] ?? env._HANDLER ?? '',
    env,
  );
  runtime.start(handler);
} catch (error) {
  runtime.crash(error);
}
