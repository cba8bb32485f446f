"""HTTP in, operation calls, HTTP out: driven by botocore's service models."""

from lambent.protocol.front import FrontDoor
from lambent.protocol.http import HttpRequest, OperationHandler, RawHandler
from lambent.protocol.jsonproto import JsonService
from lambent.protocol.model import service_model
from lambent.protocol.restjson import RestJsonService
from lambent.protocol.serialize import HttpResponse

__all__ = [
    "FrontDoor",
    "HttpRequest",
    "HttpResponse",
    "JsonService",
    "OperationHandler",
    "RawHandler",
    "RestJsonService",
    "service_model",
]
