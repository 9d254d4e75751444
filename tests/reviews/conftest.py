import pytest

from reviews.models import AnnualReview


@pytest.fixture
def contract(demo):
    return demo.contract


@pytest.fixture
def stored_reviews(demo_world, demo):
    """The demo's adopted reviews with their PDFs in this test's storage."""
    demo_world.store_documents()
    return demo.contract


@pytest.fixture
def draft_review(contract):
    """The demo's 2017 review, in preparation."""
    return AnnualReview.objects.get(contract=contract, year=2017)


@pytest.fixture
def adopted_review(contract):
    """The demo's 2016 review, adopted with its stored PDF."""
    return AnnualReview.objects.select_related("document").get(contract=contract, year=2016)


def review_url(review, suffix=""):
    return f"/contracts/{review.contract.slug}/reviews/{review.year}/{suffix}"
