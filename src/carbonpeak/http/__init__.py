"""Request plumbing both HTTP faces share (the API and the pages): bounded parameter types
and the request-size guard. Imports only FastAPI/Starlette, ``errors`` and ``settings``."""
