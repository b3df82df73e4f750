"""The check every browser test makes: a page that breaks the Content Security Policy fails it."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_inline_script_without_the_nonce_is_caught(new_page, live_server):
    page = new_page()
    url = f"{live_server.url}/about/"

    def with_an_inline_script(route):
        response = route.fetch()
        body = response.text().replace("</body>", "<script>document.title = 'ran'</script></body>")
        route.fulfill(response=response, body=body)

    page.route(url, with_an_inline_script)
    page.goto(url)
    page.wait_for_load_state("load")
    assert page.title() != "ran"
    assert [v["directive"] for v in new_page.csp_violations if "directive" in v] == [
        "script-src-elem"
    ]
    # Seen, so not a failure of this test.
    new_page.csp_violations.clear()


def test_the_record_page_runs_its_scripts_without_a_violation(new_page, live_server, archive):
    page = new_page()
    page.goto(archive.urls()["record"])
    page.wait_for_load_state("load")
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert new_page.csp_violations == []
