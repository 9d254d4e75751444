"""`send_reminders`: as of a day, the people responsible are told of what is due within 14
days and, once, of what is 1 to 60 days late; the e-mails go through a real SMTP server
(tests/smtp.py), French, with absolute links, nothing the recipient may not see; a second
run tells nobody twice."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agenda.obligations import Kind
from agenda.reminders import Summary, live_contracts, remind_batch, send_reminders, stage_of
from notifications.models import Kind as NotificationKind
from notifications.models import Notification

pytestmark = pytest.mark.django_db
D = datetime.date
SITE = "https://cej.example.org"
MARCH_1 = D(2016, 3, 1)
STAFF_ONLY = "Envoyer aux membres de la CDAJE le dossier"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _obligation(due_on, *, kind=Kind.DEADLINE, done_on=None, as_of=MARCH_1):
    from agenda.obligations import _make

    return _make(
        as_of=as_of,
        kind=kind,
        due_on=due_on,
        done_on=done_on,
        key="k",
        title="t",
        contract_id=1,
        contract_title="c",
        url="/",
    )


@pytest.mark.parametrize(
    "due_on, stage",
    [
        (MARCH_1, "soon"),
        (D(2016, 3, 15), "soon"),  # 14 days ahead
        (D(2016, 3, 16), None),  # 15
        (D(2016, 2, 29), "late"),  # one day late
        (D(2016, 1, 1), "late"),  # 60 days late (2016 is a leap year)
        (D(2015, 12, 1), None),
    ],
)
def test_the_stages(due_on, stage):
    days = (MARCH_1 - due_on).days
    expected = stage if days <= 60 else None
    assert stage_of(_obligation(due_on), MARCH_1) == expected


def test_sixty_days_late_is_the_last_notice():
    assert stage_of(_obligation(MARCH_1 - datetime.timedelta(days=60)), MARCH_1) == "late"
    assert stage_of(_obligation(MARCH_1 - datetime.timedelta(days=61)), MARCH_1) is None


def test_done_items_and_past_dates_to_know_are_not_reminded():
    assert stage_of(_obligation(D(2016, 3, 5), done_on=D(2016, 2, 1)), MARCH_1) is None
    assert stage_of(_obligation(D(2016, 2, 20), kind=Kind.PLENARY), MARCH_1) is None
    assert stage_of(_obligation(D(2016, 3, 10), kind=Kind.PLENARY), MARCH_1) == "soon"


def test_live_contracts_are_signed_and_not_past_their_last_balance(demo_contract):
    assert demo_contract in live_contracts(D(2016, 3, 1))
    assert demo_contract in live_contracts(D(2018, 12, 1))  # 2017's balance falls in 2018
    assert demo_contract not in live_contracts(D(2019, 1, 1))
    assert demo_contract not in live_contracts(D(2014, 9, 30))  # signed on 1 October 2014


def _titles(username):
    """The reminders the person got (the demo tells them of other things too)."""
    return sorted(
        Notification.objects.filter(
            recipient__username=username, key__startswith="agenda:"
        ).values_list("kind", "title")
    )


def test_the_loire_demo_on_1_march_2016(demo_contract, smtp_server):
    summary = send_reminders(day=MARCH_1)
    assert summary.contracts == 1
    # The MSA's figures, due on 15 February: late, told at once to the MSA and the CDAJE.
    late = (
        "En retard depuis le 15 février 2016 : Communiquer le nombre d'enfants de moins de "
        "3 ans ressortissants du régime agricole"
    )
    soon_caf = (
        "Échéance le 8 mars 2016 : Transmettre les données d'activité 2015 des relais "
        "d'assistants maternels"
    )
    plenary = (
        "Échéance le 15 mars 2016 : Séance plénière de la CDAJE (Hôtel du Département, "
        "Saint-Étienne)"
    )
    assert _titles("partner-msa") == sorted(
        [(NotificationKind.OVERDUE, late), (NotificationKind.DUE_SOON, plenary)]
    )
    assert _titles("partner-caf") == sorted(
        [(NotificationKind.DUE_SOON, soon_caf), (NotificationKind.DUE_SOON, plenary)]
    )
    assert _titles("partner-cg") == [(NotificationKind.DUE_SOON, plenary)]
    cdaje = [title for _kind, title in _titles("cdaje")]
    assert late in cdaje and soon_caf in cdaje and plenary in cdaje
    assert any(STAFF_ONLY in t for t in cdaje)
    assert _titles("finance") == []
    assert (summary.soon, summary.late) == (7, 2)

    msa_address = (
        demo_contract.parties.get(partner__slug__contains="msa")
        .partner.members.get(username="partner-msa")
        .email
    )
    messages = smtp_server.to(msa_address)
    subjects = sorted(m["Subject"].strip() for m in messages)
    assert len(messages) == 2, subjects  # the late notice at once, the digest
    assert all(s.startswith("[CEJ Loire]") for s in subjects), subjects
    for message in messages:
        body = smtp_server.text(message) + smtp_server.html(message)
        # Absolute links: to the obligation in the contract's calendar, or to the plenary's
        # agenda and pack.
        assert re.search(rf"{SITE}/(contracts/cej-loire-2014-2017/calendar/#|plenaries/\d+/)", body)
        assert STAFF_ONLY not in body
        assert smtp_server.html(message) and smtp_server.text(message)
    texts = " ".join(smtp_server.text(m) for m in messages)
    assert "15 février 2016" in texts and "15 mars 2016" in texts
    for message in smtp_server.messages:
        if STAFF_ONLY in smtp_server.text(message):
            assert message["To"].split("<")[-1].rstrip(">") in {
                u.email for u in demo_contract.territory.staff.all()
            }
    assert summary.emails >= 2 and summary.digests >= 4


def test_a_second_run_tells_nobody_again(demo_contract, smtp_server):
    send_reminders(day=MARCH_1)
    count, sent = Notification.objects.count(), len(smtp_server.messages)
    summary = send_reminders(day=MARCH_1)
    assert (summary.soon, summary.late, summary.emails, summary.digests) == (0, 0, 0, 0)
    assert Notification.objects.count() == count
    assert len(smtp_server.messages) == sent


def test_a_postponed_deadline_is_reminded_again(demo_contract, smtp_server):
    from agenda.models import Deadline

    send_reminders(day=MARCH_1)
    deadline = Deadline.objects.get(contract=demo_contract, due_on=D(2016, 3, 8))
    Deadline.objects.filter(pk=deadline.pk).update(due_on=D(2016, 3, 10))
    summary = send_reminders(day=MARCH_1)
    assert summary.soon == 2  # the CAF's user and the CDAJE agent, told of the new date


def test_the_command_prints_a_french_summary(demo_contract, smtp_server):
    out = io.StringIO()
    call_command("send_reminders", "--date", "2016-03-01", stdout=out)
    printed = out.getvalue()
    assert "Rappels au 1er mars 2016 : 1 contrat(s) en cours examiné(s)." in printed
    assert "7 rappel(s) d'échéance proche et 2 avis de retard enregistrés" in printed


def test_the_command_refuses_a_bad_date(demo):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Date invalide"):
        call_command("send_reminders", "--date", "2016-02-30")


def test_queries_per_batch_do_not_grow_with_the_contracts(demo_contract):
    """A second run (everyone told already) reads each batch in a fixed number of queries,
    for one contract or for every contract of the demo."""
    from cej.models import Contract

    every = list(Contract.objects.exclude(signed_on=None).select_related("territory"))
    day = D(2017, 9, 25)  # the 2016 balances and the autumn plenary ahead
    remind_batch(every, day=day, summary=Summary(day=day))
    with CaptureQueriesContext(connection) as single:
        remind_batch(every[:1], day=day, summary=Summary(day=day))
    with CaptureQueriesContext(connection) as many:
        remind_batch(every, day=day, summary=Summary(day=day))
    assert len(single) <= len(many) <= 20


def test_the_timer_runs_the_reminders_every_morning():
    from django.conf import settings

    deploy = settings.BASE_DIR / "deploy"
    timer = (deploy / "cej-loire-reminders.timer").read_text()
    service = (deploy / "cej-loire-reminders.service").read_text()
    assert "OnCalendar=*-*-* 06:30:00" in timer
    assert "Unit=cej-loire-reminders.service" in timer and "Persistent=true" in timer
    assert "ExecStart=/srv/cej-loire/.venv/bin/python manage.py send_reminders" in service
    assert "Type=oneshot" in service
    assert "EnvironmentFile=/etc/cej-loire/cej-loire.env" in service
