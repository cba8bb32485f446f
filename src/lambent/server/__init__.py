"""Wiring: builds the platform from one Settings, starts and stops it."""

from lambent.server.app import platform, serve
from lambent.server.settings import Settings, default_data_dir

__all__ = ["Settings", "default_data_dir", "platform", "serve"]
