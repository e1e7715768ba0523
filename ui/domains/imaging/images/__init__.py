"""The imaging screen: live capture, the patient's studies, the viewer and the PACS."""
