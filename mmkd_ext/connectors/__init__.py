"""Connectors: what maps student features toward the teacher's before a loss (projectors, DiffKD)."""
from .base import BaseConnector, ConnectorOutput, IdentityConnector
from .projector import Projector
from .diffkd import DiffKDDenoiser
from .logit_projector import LogitProjector
from .projector_ensemble import ProjectorEnsemble

__all__ = ['BaseConnector', 'ConnectorOutput', 'IdentityConnector', 'Projector', 'DiffKDDenoiser',
           'LogitProjector', 'ProjectorEnsemble']
