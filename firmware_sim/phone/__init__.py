"""The phone simulator: the iSmart app's part, on the command line (``ismart-phone``)."""
