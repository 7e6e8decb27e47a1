"""The register: enterprises, production lines and capacity registries, reference data, units, the
sector at a glance.
"""
