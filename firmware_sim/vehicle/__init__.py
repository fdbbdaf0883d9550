"""The vehicle simulator: one MG car per VIN (``ismart-vehicle``)."""
