"""The service models we serve, loaded from botocore: the API contract."""

from __future__ import annotations

from functools import cache

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel


@cache
def service_model(name: str) -> ServiceModel:
    """botocore's model of ``name`` (``lambda``, ``logs``), loaded once per process."""
    return ServiceModel(Loader().load_service_model(name, "service-2"), service_name=name)


def operations(model: ServiceModel) -> list[OperationModel]:
    return [model.operation_model(name) for name in model.operation_names]
