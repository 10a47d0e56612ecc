"""The portal's rules in plain Python: no Flask, no database, unit-tested on their own."""
