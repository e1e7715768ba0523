"""The service's audit trail, for administrators: who opened or changed a record."""
