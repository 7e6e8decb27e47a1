"""Inventories: computing, storing and reading the figures, the official version per enterprise and
year, province bulk loads.
"""
