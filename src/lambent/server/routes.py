"""Paths outside the service models: code downloads (``Code.Location``) and health."""

from __future__ import annotations

import asyncio

from lambent.protocol import HttpRequest, HttpResponse
from lambent.store import BlobStore

CODE_PREFIX = "/_lambent/code/"
HEALTH_PATH = "/_lambent/health"


class CodeDownload:
    """Serves a package by its SHA-256: knowing the digest is the permission, as a
    presigned S3 URL's signature is on AWS."""

    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        digest = request.raw_path[len(CODE_PREFIX) :]
        if request.method != "GET":
            return HttpResponse(status=405, content_type=b"text/plain")
        try:
            data = await asyncio.to_thread(self._blobs.read, digest)
        except (ValueError, FileNotFoundError):
            return HttpResponse(status=404, body=b"Not Found", content_type=b"text/plain")
        return HttpResponse(status=200, body=data, content_type=b"application/zip")


async def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=200, body=b'{"status":"ok"}')
