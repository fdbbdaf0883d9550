"""The iSmart head-unit emulator: the car's User menu, its QR login and binding.

The core (everything but ``headunit.ui``) imports no Kivy, so it runs headless and in tests.
"""

__version__ = "0.1.0"
