"""Letters: to the GP, to the patient and to the next service, assembled from the signed record."""
