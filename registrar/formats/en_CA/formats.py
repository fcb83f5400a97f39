# Money and numbers in English Canada group thousands with a comma ("$1,234.50"), as Canadian
# banks, the Canada Revenue Agency and CLDR's en-CA (what browsers' Intl.NumberFormat shows) write
# them. Django's en_CA uses a no-break space, the SI style, which none of them uses for money.
THOUSAND_SEPARATOR = ","
