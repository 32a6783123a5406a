from .base import BaseConnector, ConnectorOutput, IdentityConnector
from .projector import Projector
from .diffkd import DiffKDDenoiser

__all__ = ['BaseConnector', 'ConnectorOutput', 'IdentityConnector', 'Projector', 'DiffKDDenoiser']
