"""``python -m detente.cli``."""

from detente.cli import main

main()
