"""A person in a browser: register, confirm from the mail, log in, publish by form, find the
package by search and by classifier, share it, hide a release, reset the password, log out.

One test, because each step needs the state the previous one left; a screenshot of every
page goes to the test's ``tmp_path``.
"""
from __future__ import annotations

import email
import re
from pathlib import Path

from tests.clients.server import PASSWORD
from tests.distributions import make_sdist

NEW_PW = "carol's first secret"
RESET_PW = "carol's second secret"
CLASSIFIER = "Topic :: Utilities"
DESCRIPTION = "Demo\n====\n\nA *rendered* description with ``code``.\n"
RAW = DESCRIPTION + "\n.. raw:: html\n\n   <b id=raw>raw</b>\n"


def latest_mail(directory: Path):
    files = sorted((directory / "pypi-data" / "mail").glob("*.eml"))
    assert files, "no mail was written"
    message = email.message_from_bytes(files[-1].read_bytes())
    return message, re.search(r"https?://\S+", message.get_payload(decode=True).decode()).group(0)


def test_a_maintainer_in_the_browser(browser, server, tmp_path):
    directory = server.config.parent
    page = browser.new_page()
    shots = iter(range(100))

    def shot(name):
        page.screenshot(path=str(tmp_path / f"{next(shots):02d}-{name}.png"), full_page=True)

    def click(selector):
        with page.expect_navigation():
            page.click(selector)

    def go(action, **params):
        query = "&".join([f":action={action}"] + [f"{k}={v}" for k, v in params.items()])
        page.goto(f"{server.index_url}?{query}")

    # register and confirm
    go("register_form")
    page.fill("#name", "carol")
    page.fill("#password", NEW_PW)
    page.fill("#confirm", NEW_PW)
    page.fill("#email", "carol@example.org")
    page.check("input[name=agree]")
    shot("register-form")
    click("main button[type=submit]")
    assert "Registration OK" in page.content()
    message, link = latest_mail(directory)
    assert message["To"] == "carol@example.org"
    page.goto(link)
    shot("confirmed")
    assert "Registration complete" in page.content()

    def log_in(password, name):
        go("login_form")
        page.fill("#username", "carol")
        page.fill("#password", password)
        shot(name)
        click("main button[type=submit]")
        assert "Welcome carol" in page.content()

    log_in(NEW_PW, "login-form")
    cookie = next(c for c in page.context.cookies() if c["name"] == "pypi")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    # register a release by form, with a classifier and a reST description;
    # a raw block is refused with a message, and nothing is stored
    def submit_release(version, description):
        go("submit_form")
        page.fill("#name", "carolpkg")
        page.fill("#version", version)
        page.fill("#summary", "Carol's package")
        page.fill("#description", description)
        page.select_option("#classifiers", CLASSIFIER)
        shot(f"submit-form-{version}")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            click("text=Add Package Info")
        return answer.value

    refused = submit_release("1.0", RAW)
    assert refused.status == 400 and "raw and include directives are not allowed" in page.content()
    shot("submit-refused")
    for version in ("1.0", "2.0"):
        assert submit_release(version, DESCRIPTION).status == 200
        assert page.locator("h1").count() and "carolpkg" in page.content()

    # upload a file through the files page
    filename, data = make_sdist("carolpkg", "2.0")
    sdist = tmp_path / filename
    sdist.write_bytes(data)
    go("files", name="carolpkg", version="2.0")
    page.set_input_files("#content", str(sdist))
    page.select_option("#filetype", "sdist")
    shot("files-form")
    click("button[name=submit_upload]")
    shot("files-after-upload")
    assert filename in page.content()

    # the release page shows the rendered description, not the raw block
    page.goto(f"{server.index_url}/carolpkg/2.0")
    shot("display")
    assert page.locator("em", has_text="rendered").count() == 1
    page.goto(f"{server.index_url}/carolpkg/1.0")
    assert page.locator("#raw").count() == 0          # raw HTML is never passed through

    # search, and browse by classifier
    page.goto(server.index_url)
    page.fill("#term", "carolpkg")
    page.press("#term", "Enter")
    shot("search")
    assert "carolpkg" in page.content()
    go("browse")
    click(f"a:has-text('{CLASSIFIER.split(' :: ')[-1]}')")
    shot("browse")
    if "show all" in page.content():
        click("text=show all")
    assert "carolpkg" in page.content()

    # add a Maintainer
    go("role_form", package_name="carolpkg")
    page.fill("#user_name", "bob")
    page.select_option("#role_name", "Maintainer")
    click("button[value='Add Role']")
    shot("roles")
    assert "Role Added OK" in page.content()
    assert page.locator("td", has_text="bob").count() == 1

    # hide a release
    go("pkg_edit", name="carolpkg")
    page.select_option("select[name='hid_2.0']", "1")
    click("button[name=submit_submit]")
    shot("pkg-edit")
    assert page.locator("select[name='hid_2.0']").input_value() == "1"

    # log out, then reset the password from the mailed link
    go("logout")
    shot("logged-out")
    assert "Not Logged In" in page.content()
    go("forgotten_password_form")
    page.fill("#name", "carol")
    click("form:has(#name) button")
    shot("reset-requested")
    message, link = latest_mail(directory)
    assert "password" in message["Subject"]
    page.goto(link)
    page.fill("#password", RESET_PW)
    page.fill("#confirm", RESET_PW)
    shot("reset-form")
    click("main button[type=submit]")
    assert "Password has been reset" in page.content()
    log_in(RESET_PW, "login-again")
    go("logout")
    assert "Not Logged In" in page.content()
    assert PASSWORD   # the server's own users are untouched
