import socket


def closed_port() -> int:
    """A local TCP port with nothing listening on it: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
