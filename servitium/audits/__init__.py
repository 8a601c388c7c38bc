"""Internal audit: Audit programme, audits, checklists, findings and reports (2011 4.5.4.2; 2018 9.2)."""
