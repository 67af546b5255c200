"""The v1 routes and the health probes, one module per resource."""
