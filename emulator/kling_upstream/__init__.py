"""A stand-in for Kling's own API (the vendor behind a gateway's Kling channel), on loopback.

`kling-upstream --port P --access-key AK --secret-key SK` serves it; a gateway's Kling channel
points at it with base URL `http://127.0.0.1:P` and key `AK|SK`. `wire` and `params` are Kling's
answer format and rules, shared with the gateway emulator.
"""
