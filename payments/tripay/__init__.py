"""Tripay closed payments (https://tripay.co.id/developer): a framework-free API client
(client.py), a fake Tripay server for the demo and the tests (fake.py), and the shop's provider
(provider.py)."""
