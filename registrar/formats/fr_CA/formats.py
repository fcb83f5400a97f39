# "13 h 40": Django's fr_CA writes the "h" unescaped ("H\xa0h\xa0i"), which is the format
# character of the 12-hour hour, so its times read "13 01 40". Escaped here; the rest is Django's.
TIME_FORMAT = "H\xa0\\h\xa0i"  # 13 h 40
DATETIME_FORMAT = "j F Y, H\xa0\\h\xa0i"  # 31 janvier 2024, 13 h 40
SHORT_DATETIME_FORMAT = "Y-m-d H\xa0\\h\xa0i"
