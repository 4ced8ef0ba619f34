"""Run the books' invariant suite (core.invariants) and print every count; exit 1 when any is not 0."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core import invariants


class Command(BaseCommand):
    help = "Check the books' invariants I1-I10 (docs/reliability.md); exits with status 1 if any count is not 0."

    def add_arguments(self, parser):
        parser.add_argument(
            "--drained",
            action="store_true",
            help="Adjust Cost and Post Inventory Cost to G/L have drained: the queue must be empty too.",
        )
        parser.add_argument(
            "--rerun",
            action="store_true",
            help="I8: rerun both jobs inside a rolled-back transaction and count the rows they would create.",
        )
        parser.add_argument("--json", action="store_true", help="Print the report as one JSON object.")

    def handle(self, *args, drained=False, rerun=False, json=False, **options):
        report = invariants.run(drained=drained, rerun=rerun)
        if json:
            self.stdout.write(_dumps(report.as_dict()))
        else:
            width = max(len(name) for name in report.counts)
            for name, count in report.counts.items():
                style = self.style.SUCCESS if count == 0 else self.style.ERROR
                self.stdout.write(style(f"{name.ljust(width)}  {count}"))
            for name, value in report.figures.items():
                self.stdout.write(f"{name}: {value}")
        if not report.ok:
            raise CommandError(
                _("The books are not in order: %(failed)s") % {"failed": ", ".join(sorted(report.failed))},
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(_("The books are in order: every count is 0.")))


def _dumps(data) -> str:
    return json.dumps(data, default=str, sort_keys=True)
