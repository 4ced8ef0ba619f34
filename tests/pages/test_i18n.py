"""Two languages: every string is translated into Simplified Chinese, and a user's choice sticks."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from core.models import UserProfile

from .po import parse

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
SKIP_DIRS = {".venv", "var", "tests", "node_modules", ".git", "migrations", "bench", "tools"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%%|\{\w*\}")


def catalogue():
    return [entry for entry in parse(PO.read_text(encoding="utf-8")) if entry.msgid and not entry.obsolete]


def project_files(pattern):
    for path in ROOT.rglob(pattern):
        if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            yield path


def test_every_string_is_translated_and_none_is_fuzzy():
    entries = catalogue()
    assert len(entries) > 100
    untranslated = [entry.msgid for entry in entries if not entry.translated]
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    assert untranslated == [], "translate these in locale/zh_Hans/LC_MESSAGES/django.po"
    assert fuzzy == [], "review these fuzzy translations and remove the fuzzy flag"


def test_translations_keep_their_placeholders():
    wrong = [
        entry.msgid
        for entry in catalogue()
        if sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr.get(0, "")))
    ]
    assert wrong == []


def test_compiled_catalogue_matches_the_po_file():
    """The committed .mo is what Django reads: it must hold every translation of the .po (run compilemessages)."""
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    def lookup(entry):
        if entry.msgid_plural is None:
            return compiled.gettext(entry.msgid)
        return compiled.ngettext(entry.msgid, entry.msgid_plural, 1)

    stale = [entry.msgid for entry in catalogue() if lookup(entry) != entry.msgstr.get(0)]
    assert stale == [], "run: python manage.py compilemessages --ignore=.venv"


def test_every_marked_string_in_code_and_templates_is_in_the_catalogue():
    """Strings marked since the last makemessages run fail here until they are extracted and translated."""
    known = {entry.msgid for entry in catalogue()}
    marked = set()
    for path in project_files("*.html"):
        # makemessages doubles "%" in template strings; {% translate %} looks them up the same way.
        found = re.findall(r'{%\s*(?:translate|trans)\s+"([^"]+)"', path.read_text(encoding="utf-8"))
        marked.update(text.replace("%", "%%") for text in found)
    for path in project_files("*.py"):
        marked.update(re.findall(r'\b_\(\s*"((?:[^"\\]|\\.)*)"\s*\)', path.read_text(encoding="utf-8")))
    missing = sorted(text for text in marked if ast.literal_eval(f'"{text}"') not in known)
    assert missing == [], "run makemessages -l zh_Hans --ignore=.venv --ignore=var and translate"


@pytest.mark.django_db
def test_chinese_user_sees_chinese_menu(client):
    user = User.objects.create_user("li", password="s3cret-ledger-pass")
    user.groups.add(Group.objects.get(name="accountant"))
    UserProfile.objects.create(user=user, language="zh-hans")
    client.force_login(user)
    html = client.get("/gl-entries/").content.decode()
    assert '<html lang="zh-hans">' in html
    for label in ["物料分类账分录", "值条目", "总账分录", "过帐库存成本到总账", "库存期间", "科目表", "成本调整"]:
        assert label in html
    assert "会计" in html  # the role
    assert "没有符合筛选条件的总账分录。" in html
    assert "Item ledger entries" not in html


@pytest.mark.django_db
def test_language_choice_is_saved_per_user(client):
    li = User.objects.create_user("li", password="s3cret-ledger-pass")
    bo = User.objects.create_user("bo", password="s3cret-ledger-pass")
    for user in (li, bo):
        user.groups.add(Group.objects.get(name="accountant"))
    client.force_login(li)
    response = client.post("/preferences/language/", {"language": "zh-hans", "next": "/gl-accounts/"})
    assert response.status_code == 302
    assert response["Location"] == "/gl-accounts/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert UserProfile.objects.get(user=li).language == "zh-hans"
    assert "科目表" in client.get("/gl-accounts/").content.decode()

    # The choice follows the user to a new browser (no cookie), and does not leak to other users.
    other_browser = client.__class__()
    other_browser.force_login(li)
    assert "科目表" in other_browser.get("/").content.decode()
    other_browser.force_login(bo)
    assert "Chart of accounts" in other_browser.get("/").content.decode()

    client.post("/preferences/language/", {"language": "en", "next": "/"})
    assert UserProfile.objects.get(user=li).language == "en"
    assert "Chart of accounts" in client.get("/").content.decode()


@pytest.mark.django_db
def test_unknown_language_is_not_saved(client):
    user = User.objects.create_user("li", password="s3cret-ledger-pass")
    client.force_login(user)
    client.post("/preferences/language/", {"language": "xx", "next": "/"})
    assert not UserProfile.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_sign_in_page_switches_language_before_sign_in(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "用户名" in client.get("/accounts/login/").content.decode()
