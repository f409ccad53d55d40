"""``python -m flowscript``."""

from flowscript.cli import main

main()
