"""Webhooks: a studio's endpoints, the events each chose, and the log of their deliveries."""
