"""Risk management: Risks and opportunities, the risk matrix and its reviews (2011 4.1.4; 2018 6.1)."""
