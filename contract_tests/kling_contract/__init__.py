"""Contract checks of a gateway against openapi.yaml, driven by schemathesis."""
