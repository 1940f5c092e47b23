"""Third-party apps: OAuth 2.0 clients a studio registers, the consent its members give them,
and the tokens (authorization code with PKCE, refresh with rotation, revocation)."""
