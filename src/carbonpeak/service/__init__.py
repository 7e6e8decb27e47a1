"""Use cases: the one place where a request becomes work.

Each function takes a :class:`~carbonpeak.service.platform.context.Context` (the database session,
who is asking, the request id), checks role and scope, calls engines, saves, and writes
the audit trail, in one transaction. The CLI, the API and the web pages all call these.
"""
