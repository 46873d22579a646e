"""Read models fed from the event log (search, payouts ledger, insights, audit chain)."""
