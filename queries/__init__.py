"""The registration store, the privacy layer and the query functions the dashboard reads."""
