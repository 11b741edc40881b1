"""HOW the platform is rendered, checked and rolled out. No troposphere resources here."""

__version__ = "0.1.0"
