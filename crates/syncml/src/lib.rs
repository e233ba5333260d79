//! calvault's SyncML / OMA DS server.
