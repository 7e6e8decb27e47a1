"""The platform under every use case: the request context and transactions, the session and migrations,
the audit trail, first start and the demo data.
"""
