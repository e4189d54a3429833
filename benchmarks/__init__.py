"""`make bench`: what the client, the emulator and the contract suite cost, side by side."""
