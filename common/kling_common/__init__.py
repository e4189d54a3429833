"""The floor of shared facts that every product of the project stands on.

Kling's own protocol (`wire`: statuses, the envelope, error codes; `params`: its parameter
rules; `auth`: its HS256 tokens), the gateway generations (`generation`), the video a finished
task points at (`video`), and what the servers and console scripts share (`serving`,
`options`, `launcher`). The Kling stand-in (`kling_upstream`), the gateway emulator
(`kling_emulator`), the contract suite (`kling_contract`) and the client import from here;
nothing here imports them.
"""
