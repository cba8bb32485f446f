// Finding the function's handler from its handler setting (_HANDLER), as AWS's Node.js
// runtime does (aws-lambda-ric 3.x, UserFunction.js; "Define Lambda function handler in
// Node.js" in the Lambda guide):
//
//   "index.handler", "dir/sub/file.handler", "file.nested.fn" (a property path)
//
// The module named is looked up under the task root, in this order: the exact file (as
// CommonJS); FILE.js as CommonJS unless the nearest package.json says "type": "module";
// FILE.js as an ES module when it does; FILE.mjs (ES module); FILE.cjs (CommonJS); and
// finally Node's own resolution (node_modules, NODE_PATH) from the task root. ES modules
// may use top-level await: loading waits for them.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  HandlerNotFound,
  ImportModuleError,
  MalformedHandlerName,
  UserCodeSyntaxError,
} from './errors.mjs';
import { HttpResponseStream, streamifyResponse } from './streaming.mjs';

// Resolution starts from the runtime's entry file: a missing module then reads
// "Cannot find module 'index'\nRequire stack:\n- <runtime dir>/index.mjs", the text AWS
// gives (its runtime lives at /var/runtime/index.mjs).
const require = createRequire(new URL('./index.mjs', import.meta.url));

const MODULE_AND_PATH = /^([^.]*)\.(.*)$/;

/** [directory prefix, "module.property.path"] of a handler setting. */
function splitDirectory(handler) {
  const base = path.basename(handler);
  return [handler.substring(0, handler.indexOf(base)), base];
}

function splitModule(moduleAndPath) {
  const match = moduleAndPath.match(MODULE_AND_PATH);
  if (!match) throw new MalformedHandlerName('Bad handler');
  return [match[1], match[2]];
}

/** Does the nearest package.json above `folder` declare "type": "module"? */
function declaresModuleType(folder) {
  if (folder.endsWith('/node_modules')) return false;
  const manifest = path.join(folder, 'package.json');
  if (fs.existsSync(manifest)) {
    try {
      return JSON.parse(fs.readFileSync(manifest))?.type === 'module';
    } catch (error) {
      console.warn(
        `${manifest} cannot be read, it will be ignored for ES module detection purposes.`,
        error,
      );
      return false;
    }
  }
  if (folder === '/') return false;
  return declaresModuleType(path.resolve(folder, '..'));
}

const requireIfExists = (file) => (fs.existsSync(file) ? require(file) : undefined);
const importIfExists = async (file) =>
  fs.existsSync(file) ? await import(pathToFileURL(file).href) : undefined;

async function loadModule(taskRoot, directory, name) {
  const base = path.resolve(taskRoot, directory, name);
  const exact = requireIfExists(base);
  if (exact) return exact;
  const esm = fs.existsSync(`${base}.js`) && declaresModuleType(path.dirname(`${base}.js`));
  if (!esm) {
    const commonjs = requireIfExists(`${base}.js`);
    if (commonjs) return commonjs;
  }
  const found =
    (esm && (await importIfExists(`${base}.js`))) ||
    (await importIfExists(`${base}.mjs`)) ||
    requireIfExists(`${base}.cjs`);
  if (found) return found;
  return require(require.resolve(name, { paths: [taskRoot, directory] }));
}

/** The globals AWS's runtime gives function code (unless it is asked not to). */
function installGlobals(env) {
  const off = env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (off === '1' || off === 'true') return;
  globalThis.awslambda = { streamifyResponse, HttpResponseStream };
}

/**
 * Load the handler function named by `handler` under `taskRoot`; throws the Runtime.*
 * error AWS reports when it cannot.
 */
export async function loadHandler(taskRoot, handler, env = process.env) {
  if (handler.includes('..')) {
    throw new MalformedHandlerName(
      `'${handler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const [directory, moduleAndPath] = splitDirectory(handler);
  const [name, propertyPath] = splitModule(moduleAndPath);
  installGlobals(env);
  let exports;
  try {
    exports = await loadModule(taskRoot, directory, name);
  } catch (error) {
    if (error instanceof SyntaxError) throw new UserCodeSyntaxError(error);
    if (error?.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(error);
    throw error;
  }
  const fn = propertyPath.split('.').reduce((object, key) => object && object[key], exports);
  if (!fn) throw new HandlerNotFound(`${handler} is undefined or not exported`);
  if (typeof fn !== 'function') throw new HandlerNotFound(`${handler} is not a function`);
  return fn;
}
