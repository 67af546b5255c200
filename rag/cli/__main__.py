"""`python -m rag.cli`: the same command line as `guideqa`."""

from rag.cli import main

main()
