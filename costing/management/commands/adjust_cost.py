"""``manage.py adjust_cost [--item NO ...] [--post-to-gl | --no-post-to-gl]``: Adjust Cost - Item Entries."""

from django.core.management.base import BaseCommand

from costing.adjustment import adjust_cost


class Command(BaseCommand):
    help = "Adjust Cost - Item Entries: forward cost changes from inbound to outbound entries."

    def add_arguments(self, parser):
        parser.add_argument("--item", action="append", dest="items", help="Item no. (repeat for several).")
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--post-to-gl",
            dest="post_to_gl",
            action="store_true",
            default=None,
            help="Post the adjustment entries to the G/L (default: automatic cost posting setting).",
        )
        group.add_argument("--no-post-to-gl", dest="post_to_gl", action="store_false")

    def handle(self, *args, items=None, post_to_gl=None, **options):
        def progress(done, total):
            if options["verbosity"] > 1:
                self.stdout.write(f"  {done}/{total} items")

        report = adjust_cost(items, post_to_gl=post_to_gl, progress=progress)
        summary = report.as_dict()
        self.stdout.write(
            f"Adjusted {summary['items_adjusted']} items: {summary['adjustment_value_entries']} adjustment value "
            f"entries, {summary['adjusted_amount']} in total, {summary['gl_entries']} G/L entries."
        )
        for error in summary["errors"]:
            self.stderr.write(f"Item {error['item']} was not adjusted: {error['error']}")
        if summary["errors"]:
            raise SystemExit(1)
