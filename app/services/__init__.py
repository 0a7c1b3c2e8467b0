"""Business rules and figures, free of Flask: each takes plain values (or a session and a date)."""
