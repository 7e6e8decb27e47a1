"""Adapters to the outside: read_* / write_* per format (csv, xlsx, json, mqtt, iamc).

io/ parses and validates what comes in (every row, every column, units converted to the
canonical unit) and reports every problem with file, sheet, row and column.
"""
