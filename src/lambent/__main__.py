"""``python -m lambent``."""

from lambent.cli import main

main()
