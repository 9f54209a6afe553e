"""Engines that run a rendered do-file in a workspace: one small interface, several backends."""
