"""Load the demo company (costing/demo.py) for `make run`: a bicycle wholesaler with four months of transactions.

Idempotent: when the demo company is already there it says so and changes nothing. It refuses to load into a
database that has other books (accounts or items that are not the demo's).
"""

from django.core.management.base import BaseCommand, CommandError

from costing import demo


class Command(BaseCommand):
    help = "Load the demo company (chart of accounts, setups, items and four months of postings) once."

    def handle(self, *args, **options):
        try:
            calls = demo.load_demo()
        except demo.NotEmpty as exc:
            raise CommandError(str(exc)) from exc
        if calls is None:
            self.stdout.write("The demo company is already loaded; nothing to do.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo company: {len(demo.CHART_OF_ACCOUNTS)} G/L accounts, {len(demo.DEMO_ITEMS)} items, "
                f"{calls['item_journal']} item journal postings, {calls['invoice']} invoices, "
                f"{calls['item_charge']} item charges, {calls['revaluation']} revaluation and "
                f"{calls['gl_journal']} G/L journal. Inventory cost is waiting in the Post Inventory Cost to G/L queue."
            )
        )
