"""Experts: certification (applications, evidence, certificates, challenges, the log),
expert profiles, questions and answers, endorsements of reviews, knowledge-base pages."""

from experts.models.certification import (
    Certificate,
    CertificationLogEntry,
    CredentialChallenge,
    EvidenceFile,
    ExpertApplication,
    Tier,
    VerificationCheck,
)
from experts.models.knowledge import KnowledgeBaseIndexPage, KnowledgeBasePage
from experts.models.profiles import Endorsement, ExpertProfile
from experts.models.questions import (
    Answer,
    AnswerPhoto,
    AnswerRevision,
    QAComment,
    Question,
    Vote,
)

__all__ = [
    "Answer",
    "AnswerPhoto",
    "AnswerRevision",
    "Certificate",
    "CertificationLogEntry",
    "CredentialChallenge",
    "Endorsement",
    "EvidenceFile",
    "ExpertApplication",
    "ExpertProfile",
    "KnowledgeBaseIndexPage",
    "KnowledgeBasePage",
    "QAComment",
    "Question",
    "Tier",
    "VerificationCheck",
    "Vote",
]
