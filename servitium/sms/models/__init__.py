"""Records of the management system: context, interested parties, scope, leadership, objectives, the SMS
plan, the communication plan and the process register (2011 4.1-4.2, 4.5.2-4.5.3; 2018 4, 5.1, 5.3,
6.2-6.4, 7.4, 8.1)."""

from .context import ContextIssue, PartyRequirement, Stakeholder
from .leadership import Commitment, ProcessRole, SmsSettings
from .objectives import Objective, ObjectiveMeasurement
from .plan import CommunicationEntry, PlanSection, SmsPlan
from .processes import ProcessDefinition
from .scope import ScopeStatement

__all__ = [
    "Commitment",
    "CommunicationEntry",
    "ContextIssue",
    "Objective",
    "ObjectiveMeasurement",
    "PartyRequirement",
    "PlanSection",
    "ProcessDefinition",
    "ProcessRole",
    "ScopeStatement",
    "SmsPlan",
    "SmsSettings",
    "Stakeholder",
]
