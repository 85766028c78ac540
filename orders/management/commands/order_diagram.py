from django.core.management.base import BaseCommand

from orders.diagram import mermaid


class Command(BaseCommand):
    help = "Print the order state machine (Order.TRANSITIONS) as a Mermaid stateDiagram-v2."

    def handle(self, *args, **options) -> None:
        self.stdout.write(mermaid(), ending="")
