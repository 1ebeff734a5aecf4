"""Investment economics: what assets cost (`energysim.economics.costs`, the library of
defaults in ``library/``) and discounted cash flows (`energysim.economics.finance`)."""
