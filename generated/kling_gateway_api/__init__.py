"""A client library for accessing Kling video tasks through a new-api gateway"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
