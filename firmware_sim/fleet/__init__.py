"""ismart-fleet: many simulated cars (head unit + vehicle) on one machine against one cloud."""
