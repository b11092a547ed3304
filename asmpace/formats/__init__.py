"""Date and number formats per language (settings.FORMAT_MODULE_PATH): English is British."""
