"""`python -m bakegen` runs the command line."""

from bakegen.cli import main

if __name__ == "__main__":
    main()
