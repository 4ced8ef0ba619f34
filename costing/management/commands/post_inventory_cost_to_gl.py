"""``manage.py post_inventory_cost_to_gl --method per-entry|per-posting-group [--document-no] [--dry-run]``."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import InvalidInput
from costing import gl_posting


class Command(BaseCommand):
    help = "Post Inventory Cost to G/L: post the value entries waiting in the queue."

    def add_arguments(self, parser):
        parser.add_argument("--method", choices=["per-entry", "per-posting-group"], default="per-entry")
        parser.add_argument("--document-no", default=None)
        parser.add_argument("--dry-run", action="store_true", help="Report what would be posted; post nothing.")
        parser.add_argument("--item", action="append", dest="items")
        parser.add_argument("--posting-date-to", default=None, help="Only entries dated on or before (YYYY-MM-DD).")

    def handle(self, *args, method, document_no, dry_run, items, posting_date_to, **options):
        from datetime import date

        try:
            report = gl_posting.run_post_inventory_cost_to_gl(
                method=method.replace("-", "_"),
                document_no=document_no,
                post=not dry_run,
                items=items,
                posting_date_to=date.fromisoformat(posting_date_to) if posting_date_to else None,
            )
        except InvalidInput as exc:
            raise CommandError(exc.message) from exc
        verb = "Would post" if dry_run else "Posted"
        self.stdout.write(f"{verb} {report.posted_value_entries} value entries as {report.lines_total} G/L lines.")
        for row in report.by_account():
            self.stdout.write(f"  {row['gl_account']:<10} {row['account_type']:<24} {row['amount']:>16}")
        if report.skipped:
            self.stdout.write(f"Skipped {len(report.skipped)} value entries:")
            for skipped in report.skipped:
                self.stdout.write(f"  value entry {skipped.value_entry_no}: {skipped.reason}")
