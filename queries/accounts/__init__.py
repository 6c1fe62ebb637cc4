"""Who may see what: the caller's access scope, the local accounts of the embedded login, and the audit log.

Modules: `access` (roles and the scopes each may obtain), `users` (accounts, password hashes and
the login record behind the rate limit), `audit_log` (who looked at what, when; never figures).
"""
