"""Shared decision-making: decision aids as data, and the record of a decision made with one."""
