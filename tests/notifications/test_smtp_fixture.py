"""The tests' SMTP server receives what Django's SMTP backend sends, read back as a client would."""

from django.core.mail import EmailMultiAlternatives


def test_a_message_sent_through_django_arrives_with_both_parts(smtp_server):
    message = EmailMultiAlternatives(
        subject="Fiche 3 soumise à la CDAJE",
        body="Texte brut — accentué.",
        to=["cdaje@example.org"],
    )
    message.attach_alternative("<p>Texte <strong>HTML</strong></p>", "text/html")
    assert message.send() == 1

    (received,) = smtp_server.to("cdaje@example.org")
    assert received["Subject"] == "Fiche 3 soumise à la CDAJE"
    assert "Texte brut — accentué." in smtp_server.text(received)
    assert "<strong>HTML</strong>" in smtp_server.html(received)
