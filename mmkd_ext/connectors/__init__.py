from .base import BaseConnector, ConnectorOutput, IdentityConnector
from .projector import Projector
from .diffkd import DiffKDDenoiser
from .logit_projector import LogitProjector
from .nd_projector import NDProjector
from .projector_ensemble import ProjectorEnsemble

__all__ = ['BaseConnector', 'ConnectorOutput', 'IdentityConnector', 'Projector', 'DiffKDDenoiser',
           'LogitProjector', 'NDProjector', 'ProjectorEnsemble']
