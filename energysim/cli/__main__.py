"""`python -m energysim.cli ...`: the same as the `energysim` command."""

from energysim.cli import main

main()
