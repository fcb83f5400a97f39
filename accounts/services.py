"""accounts' public names (kept for callers of the first API): tokens live in accounts.tokens."""

from accounts.tokens import InvalidCredentials, issue_token, login_for_token

__all__ = ["InvalidCredentials", "issue_token", "login_for_token"]
