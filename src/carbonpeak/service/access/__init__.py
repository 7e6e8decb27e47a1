"""Who may do what: users, passwords, sign-in, tokens and sessions."""
