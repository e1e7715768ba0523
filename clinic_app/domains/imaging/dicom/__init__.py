"""DICOM: the objects the app makes from grabbed and imported images (more to follow)."""
