"""Scan reports: the report page, the review queue and the trainee's returned reports."""
