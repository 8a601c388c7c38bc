"""Records of the management system: context, interested parties, scope, leadership, objectives, the SMS
plan and the communication plan (2011 4.1-4.2, 4.5.2; 2018 4, 5.1, 5.3, 6.2-6.4, 7.4)."""

from .context import ContextIssue, PartyRequirement, Stakeholder
from .leadership import Commitment, ProcessRole, SmsSettings
from .objectives import Objective, ObjectiveMeasurement
from .plan import CommunicationEntry, PlanSection, SmsPlan
from .scope import ScopeStatement

__all__ = [
    "Commitment",
    "CommunicationEntry",
    "ContextIssue",
    "Objective",
    "ObjectiveMeasurement",
    "PartyRequirement",
    "PlanSection",
    "ProcessRole",
    "ScopeStatement",
    "SmsPlan",
    "SmsSettings",
    "Stakeholder",
]
