"""``python -m detente``: the command-line interface."""

from detente.cli import main

main()
