"""Clients' own do-files: the safety policy (shared with the templates) and the check that
says, before anything runs, what in a do-file will not work here and on which engine.

    policy       the rules every do-file SS runs obeys (templates and clients' own)
    statements   a do-file's commands as they will run: macros resolved where a static
                 reading can, loops unrolled, sub-do-files and programs followed
    files        the files each command reads and writes
    support      what the embedded engine implements (its registry and syntax declarations)
    check        all of the above into one report, per line, per engine

This package imports only the engine's lexer until a check runs (``check`` loads the engine's
command registry, and with it the numeric stack), so the template library stays light.
"""
