"""Who opened or changed one patient's record, where and when: a screen for admins."""
