"""Phase 1: what one file says, as plain data (cacheable, picklable, JSON-able)."""
