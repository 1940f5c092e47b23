"""JSON API: /api/v1/inventory/items (+ photos), /api/v1/inventory/checkouts."""

blueprints = ()
