"""`python -m bakegen` runs the command line."""

from bakegen.cli import entry

if __name__ == "__main__":
    entry()
