"""The medical tables: rows re-checked against public label text behave as their sources say."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from plugins.medical.dosage import DoseSanity
from plugins.medical.tables import load_doses, load_interactions

# Sites whose text is not accepted as a source for a limit (AI-written summaries, blogs).
NOT_A_SOURCE = ("droracle.ai", "biologyinsights.com", "blogspot.com")


@pytest.fixture(scope="module")
def confirmed_doses() -> DoseSanity:
    return DoseSanity(confirmed_only=True)


def test_no_row_points_at_an_ai_summary_or_a_blog():
    urls = [(d.name, d.url) for d in load_doses()] + [(p.id, p.url) for p in load_interactions().pairs if p.url]
    bad = [(key, url) for key, url in urls if urlparse(url).hostname.endswith(NOT_A_SOURCE)]
    assert not bad, bad


def test_confirmed_rows_point_at_the_text_read_not_a_search_page():
    searches = [d.name for d in load_doses() if d.confirmed and "/search.cfm" in d.url]
    assert not searches, searches


@pytest.mark.parametrize(
    ("text", "fired"),
    [
        # lamotrigine: labelled maintenance goes to 500 mg/day (the old 700 mg was a study dose)
        ("Lamictal 200 mg twice daily.", set()),
        ("Lamotrigine 600 mg a day with carbamazepine.", {"med.dose.lamotrigine"}),
        # prochlorperazine: 40 mg/day for nausea, 150 mg/day the psychosis ceiling
        ("Prochlorperazine 10 mg four times a day for nausea.", set()),
        ("Compazine 50 mg three times a day.", set()),
        ("Prochlorperazine 200 mg a day.", {"med.dose.prochlorperazine"}),
        # carvedilol: 50 mg twice daily in heart failure over 85 kg
        ("Coreg 50 mg twice daily.", set()),
        ("Carvedilol 75 mg twice daily.", {"med.dose.carvedilol"}),
        # simethicone: OTC monograph maximum 500 mg a day
        ("Gas-X 125 mg four times a day.", set()),
        ("Simethicone 250 mg four times a day.", {"med.dose.simethicone"}),
        # tapentadol: 700 mg on the first day, 600 mg after
        ("Nucynta 100 mg every 4 hours.", set()),
        ("Tapentadol 150 mg every 4 hours.", {"med.dose.tapentadol"}),
        # carisoprodol: 350 mg three times a day and at bedtime
        ("Soma 350 mg three times a day and at bedtime.", set()),
        ("Carisoprodol 700 mg four times a day.", {"med.dose.carisoprodol", "med.dose.carisoprodol.single"}),
        # nitrofurantoin: Macrodantin 50-100 mg four times a day
        ("Macrodantin 100 mg four times a day.", set()),
        ("Nitrofurantoin 200 mg four times a day.", {"med.dose.nitrofurantoin", "med.dose.nitrofurantoin.single"}),
        # benzonatate: at most 600 mg a day
        ("Tessalon 200 mg three times a day.", set()),
        ("Benzonatate 200 mg four times a day.", {"med.dose.benzonatate"}),
        # diazepam: 2-10 mg two to four times a day
        ("Valium 10 mg four times a day.", set()),
        ("Diazepam 20 mg three times a day.", {"med.dose.diazepam", "med.dose.diazepam.single"}),
        # cephalexin: 1 to 4 g a day
        ("Keflex 500 mg four times a day.", set()),
        ("Cephalexin 2 g four times a day.", {"med.dose.cephalexin"}),
        # risperidone: efficacy shown up to 16 mg/day
        ("Risperdal 8 mg twice daily.", set()),
        ("Risperidone 10 mg twice daily.", {"med.dose.risperidone"}),
        # amphetamine (Adderall): narcolepsy up to 60 mg a day
        ("Adderall 20 mg three times a day.", set()),
        ("Adderall 30 mg three times a day.", {"med.dose.amphetamine"}),
    ],
)
def test_rechecked_rows_are_used_when_only_confirmed_rows_count(confirmed_doses, text, fired):
    r = confirmed_doses(text)
    assert {f["id"] for f in r.details["fired"]} == fired, r.reason


def test_rows_left_unconfirmed_are_left_out_of_confirmed_only_checks(confirmed_doses):
    unconfirmed = {d.name for d in load_doses() if not d.confirmed}
    assert "aspirin" in unconfirmed
    r = confirmed_doses("Aspirin 2 g every 4 hours.")
    assert not r.details["fired"], r.reason
