"""The developer platform: the studio's API keys."""
