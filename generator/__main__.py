"""`python -m generator` is the same CLI as `dateline`."""

from .cli import run

if __name__ == "__main__":
    run()
