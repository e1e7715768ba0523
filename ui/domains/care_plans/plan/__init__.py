"""The care plan screen, made with the patient and printed for them."""
