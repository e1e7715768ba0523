"""The clinic day's use cases: sessions, booking, the day lists, attendance, double bookings."""

from __future__ import annotations

from clinic_app.domains.appointments.service.core import AppointmentService

__all__ = ["AppointmentService"]
