"""Domain Name API (DNA): the real registrar, spoken to over SOAP with httpx."""

from .client import AvailabilityRow, Balance, DnaClient, DnaUnreachable, DomainDetails, TldPrice, error_for
from .registrar import DnaRegistrar

__all__ = ["AvailabilityRow", "Balance", "DnaClient", "DnaRegistrar", "DnaUnreachable", "DomainDetails",
           "TldPrice", "error_for"]
