"""Corrections to Django's formats of the organizations' locales (FORMAT_MODULE_PATH). A format
not set here is Django's own (django/conf/locale/<locale>/formats.py)."""
