"""The reporting round: uploads, submissions and their versions, verification, assignments, evidence."""
