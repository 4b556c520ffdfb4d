"""Synchronization: the index of related hubs and partners, its measures, the network, gaps; imports sparql/, store/,
monitoring/ and the shared modules.
"""
