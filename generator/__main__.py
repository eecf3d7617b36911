"""`python -m generator` is the same CLI as `dateline`."""

from .cli import main

if __name__ == "__main__":
    main()
