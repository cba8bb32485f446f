"""The Node.js runtime's HTTP/1.1 client (``nodejs/http1.mjs``) against Node's own HTTP
server answering the ways a server may: Content-Length, chunked with trailers, a body
that ends with the connection, ``Connection: close``, repeated headers, a server that
hangs up, one that sends garbage; and requests queued while another is under way."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from lambent.runtimes import nodejs_bootstrap_dir

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

SCRIPT = """
import http from 'node:http';
import net from 'node:net';
import { Http1Connection } from '%(module)s';

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const echo = JSON.stringify({ method: req.method, url: req.url, body, host: req.headers.host });
    if (req.url === '/chunked') {
      res.setHeader('Trailer', 'X-Done');
      res.write('ab');
      res.write('cd');
      res.addTrailers({ 'X-Done': 'yes' });
      res.end();
    } else if (req.url === '/close') {
      res.setHeader('Connection', 'close');
      res.end('closing');
    } else if (req.url === '/repeat') {
      res.setHeader('X-Many', ['a', 'b']);
      res.setHeader('Lambda-Runtime-Aws-Request-Id', 'r-1');
      res.end('');
    } else {
      res.setHeader('Content-Type', 'application/json');
      res.end(echo);
    }
  });
});
const raw = net.createServer((socket) => {
  socket.once('data', (data) => {
    const url = data.toString().split(' ')[1];
    if (url === '/until-close') socket.end('HTTP/1.1 200 OK\\r\\n\\r\\nall of it');
    else if (url === '/garbage') socket.end('NOT HTTP\\r\\n\\r\\n');
    else socket.destroy();
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
await new Promise((r) => raw.listen(0, '127.0.0.1', r));
const client = new Http1Connection('127.0.0.1', server.address().port);
const other = () => new Http1Connection('127.0.0.1', raw.address().port);
const settle = (p) => p.then((v) => ({ ok: v }), (e) => ({ error: e.message }));
const out = {};
out.echo = await client.request('POST', '/x', { 'Content-Type': 'text/plain' }, 'grüße');
out.queued = await Promise.all([
  client.request('GET', '/a', {}, undefined),
  client.request('GET', '/b', {}, undefined),
  client.request('POST', '/c', {}, ''),
]);
out.chunked = await client.request('GET', '/chunked', {}, undefined);
out.close = await client.request('GET', '/close', {}, undefined);
out.after_close = await client.request('GET', '/again', {}, undefined);
out.repeat = await client.request('GET', '/repeat', {}, undefined);
out.until_close = await settle(other().request('GET', '/until-close', {}, undefined));
out.garbage = await settle(other().request('GET', '/garbage', {}, undefined));
out.hangup = await settle(other().request('GET', '/hangup', {}, undefined));
out.refused = await settle(new Http1Connection('127.0.0.1', 1).request('GET', '/', {}, undefined));
server.close();
raw.close();
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    module = (Path(nodejs_bootstrap_dir()) / "http1.mjs").as_uri()
    script = tmp_path_factory.mktemp("http1") / "probe.mjs"
    script.write_text(SCRIPT % {"module": module})
    done = subprocess.run(
        ["node", str(script)], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_bodies_by_content_length_and_requests_in_order(answers: dict[str, object]) -> None:
    echo = answers["echo"]
    assert isinstance(echo, dict)
    assert echo["status"] == 200
    assert echo["headers"]["content-type"] == "application/json"
    sent = json.loads(echo["body"])
    assert sent["method"] == "POST" and sent["body"] == "grüße"
    assert sent["host"].startswith("127.0.0.1:")
    queued = answers["queued"]
    assert isinstance(queued, list)
    assert [json.loads(a["body"])["url"] for a in queued] == ["/a", "/b", "/c"]


def test_chunked_close_and_repeated_headers(answers: dict[str, object]) -> None:
    assert answers["chunked"]["body"] == "abcd"  # type: ignore[index]
    assert answers["close"]["body"] == "closing"  # type: ignore[index]
    # A new connection is made after the server closed the last one.
    assert json.loads(answers["after_close"]["body"])["url"] == "/again"  # type: ignore[index]
    headers = answers["repeat"]["headers"]  # type: ignore[index]
    assert headers["x-many"] == "a, b"
    assert headers["lambda-runtime-aws-request-id"] == "r-1"


def test_body_until_close_and_broken_servers(answers: dict[str, object]) -> None:
    assert answers["until_close"] == {"ok": {"status": 200, "headers": {}, "body": "all of it"}}
    assert "Parse Error" in answers["garbage"]["error"]  # type: ignore[index]
    assert answers["hangup"] == {"error": "socket hang up"}
    assert "ECONNREFUSED" in answers["refused"]["error"]  # type: ignore[index]
