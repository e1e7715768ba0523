"""The service's DICOM network: the app's listeners for scanners, and the PACS it sends to."""
