"""`python manage.py send_reminders [--date YYYY-MM-DD]`: the daily reminders (the systemd
timer of deploy/ runs it at 06:30). `--date` runs it as of another day: an operator
re-running a missed morning, or the Loire demo seen on 1 March 2016."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agenda.reminders import send_reminders


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Date invalide : « {value} » (attendu AAAA-MM-JJ).") from error


class Command(BaseCommand):
    help = "Rappelle les échéances proches et dépassées, puis envoie les e-mails en attente."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="Jour des rappels, AAAA-MM-JJ (par défaut : aujourd'hui)."
        )

    def handle(self, *args, date=None, **options):
        day = _day(date) if date else timezone.localdate()
        summary = send_reminders(day=day)
        for line in summary.lines():
            self.stdout.write(line)
