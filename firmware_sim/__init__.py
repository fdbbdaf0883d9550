"""Simulators of everything around the head unit: the iSmart cloud, the car's firmware,
the phone app, and the embedded MQTT broker that ``ismart-demo`` runs them on."""
