"""JSON API: /api/v1/resources, /api/v1/resource-checkouts."""

blueprints = ()
