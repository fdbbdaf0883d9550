"""The iSmart cloud simulator: accounts, vehicles, bindings; HTTP for phones, MQTT for cars."""
