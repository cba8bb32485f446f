// A spare Node.js runtime (lambent.environments.spares): this runtime started before its
// function is known, in a sandbox with an empty /var/task. index.mjs calls
// waitForFunction once its imports are done (most of a cold start is Node's own start and
// those): it says so on its channel, the descriptor named by LAMBENT_SPARE_CHANNEL, and
// waits. The server sends what to become (the function's environment, working directory)
// and mounts the code meanwhile; an empty frame says all is in place, and index.mjs goes
// on as if started for the function.
//
// Messages are frames: the body's length in ASCII digits, a newline, the body (JSON).

import fs from 'node:fs';

const CHANNEL = 'LAMBENT_SPARE_CHANNEL';

function readExactly(fd, length) {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const count = fs.readSync(fd, buffer, done, length - done, null);
    if (count === 0) process.exit(0); // the server discarded this spare
    done += count;
  }
  return buffer;
}

function receive(fd) {
  let line = '';
  for (let byte = readExactly(fd, 1)[0]; byte !== 0x0a; byte = readExactly(fd, 1)[0]) {
    line += String.fromCharCode(byte);
  }
  const length = Number(line);
  return length ? JSON.parse(readExactly(fd, length).toString('utf8')) : null;
}

function send(fd, message) {
  const body = Buffer.from(JSON.stringify(message));
  fs.writeSync(fd, Buffer.concat([Buffer.from(`${body.length}\n`), body]));
}

/** [start, end) of the original environment block, as /proc/<pid>/environ shows it
 * (fields 50 and 51 of /proc/<pid>/stat). */
function environBlock() {
  const stat = fs.readFileSync('/proc/self/stat', 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/);
  return [Number(fields[47]), Number(fields[48])];
}

/** Make /proc/<pid>/environ show the function's environment, as a fresh start would: the
 * kernel reads the original block, which nothing refers to any more once every variable
 * was unset (the new ones live elsewhere). The server only sends environments that fit. */
function rewrite([start, end], env) {
  const data = Buffer.from(Object.entries(env).map(([k, v]) => `${k}=${v}\0`).join(''));
  if (end <= start || data.length > end - start) return;
  const memory = fs.openSync('/proc/self/mem', 'r+');
  try {
    fs.writeSync(memory, Buffer.concat([data, Buffer.alloc(end - start - data.length)]), 0,
      end - start, start);
  } finally {
    fs.closeSync(memory);
  }
}

/** In a spare: wait for the function, then make `env` (process.env) and the working
 * directory its own. Elsewhere: nothing. */
export function waitForFunction(env) {
  if (env[CHANNEL] === undefined) return;
  const channel = Number(env[CHANNEL]);
  receive(channel); // the greeting: nothing in it for Node.js
  const block = environBlock();
  send(channel, { modules: [], environ_room: block[1] - block[0] });
  const assignment = receive(channel);
  for (const name of Object.keys(env)) delete env[name];
  Object.assign(env, assignment.env);
  rewrite(block, assignment.env);
  receive(channel); // the code is mounted, the limits set
  fs.closeSync(channel);
  // /var/task is the function's now, mounted over the empty one this process started in.
  process.chdir(assignment.cwd);
}
